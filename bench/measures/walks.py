"""Walks without the app: the official SDK's auto-pagination, and a raw httpx floor."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from harness import API_KEY, PAGE, DemoServer, items_url


def sdk_walk(server: DemoServer, conversation_id: str, n: int) -> dict[str, Any]:
    import openai  # imported here: its import is not part of the app's RSS

    server.reset_stats()
    started = time.perf_counter()
    client = openai.OpenAI(base_url=server.url, api_key=API_KEY)
    ids = [item.id for item in client.conversations.items.list(conversation_id, limit=PAGE, order="asc")]
    elapsed = time.perf_counter() - started
    client.close()
    if len(ids) != n or len(set(ids)) != n:
        raise AssertionError(f"SDK walk gave {len(ids)} items, {len(set(ids))} distinct, expected {n}")
    return {"sdk_walk_s": elapsed, "sdk_requests": server.stats()["requests"]}


def raw_walk(server: DemoServer, conversation_id: str, n: int) -> dict[str, Any]:
    """One sequential walk, plain httpx + json.loads, no models: the practical floor at 0 ms."""
    started = time.perf_counter()
    ids: list[str] = []
    after = None
    with httpx.Client(headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30.0) as http:
        while True:
            params: dict[str, Any] = {"limit": PAGE, "order": "asc"}
            if after:
                params["after"] = after
            page = json.loads(http.get(items_url(server.url, conversation_id), params=params).content)
            ids.extend(item["id"] for item in page["data"])
            if not page["has_more"] or not page["data"]:
                break
            after = page["last_id"]
    elapsed = time.perf_counter() - started
    if len(ids) != n or len(set(ids)) != n:
        raise AssertionError(f"raw walk gave {len(ids)} items, expected {n}")
    return {"raw_walk_s": elapsed}


