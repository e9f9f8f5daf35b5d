"""A faithful stand-in for the OpenAI Conversations API (plus Foundry's list extensions).

Routes live under /v1, so a client's base URL is http://host:port/v1. Any API key, or none,
is accepted. Besides the API, three demo-only control routes exist for tests and for
`convoscope demo-server` users; they are not part of any real API and are never subject
to faults:

* GET  /v1/_demo/stats   request counts, peak concurrency and the last 1000 item-list calls
* POST /v1/_demo/reset   reset those statistics
* GET/POST /v1/_demo/faults   read, or replace, the active `Faults` (POST {} clears them)

`impersonate` makes the server answer like OpenAI, Azure OpenAI, Foundry, Llama Stack or a
server with a broken cursor where those differ (see impersonate.py); the default is `demo`,
which supports everything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from convoscope.demo.bundled import load_bundled
from convoscope.demo.pictures import served_picture
from convoscope.demo.errors import (
    BAD_JSON_MESSAGE,
    ApiError,
    bad_request,
    invalid_value,
    item_not_found,
    missing_parameter,
    unknown_parameter,
)
from convoscope.demo.faults import FaultInjector, Faults, faults_from_json, faults_to_json
from convoscope.demo.impersonate import Persona, persona_named
from convoscope.demo.include import parse_include, strip_item
from convoscope.demo.inputs import new_items, validate_metadata
from convoscope.demo.middleware import DemoMiddleware
from convoscope.demo import variants
from convoscope.demo.model_responses import response_index
from convoscope.demo.pages import select_page, walk_all
from convoscope.demo.responses import APIResponse
from convoscope.demo.stats import Stats
from convoscope.demo.store import ConversationRecord, Store, Timeline

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
UNCAPPED_LIMIT = 1_000_000


def create_app(
    faults: Faults | None = None,
    *,
    data_dir: str | Path | None = None,
    impersonate: str = "demo",
) -> Starlette:
    """A fresh server with its own state; `data_dir` replaces the bundled data (for tests).

    `impersonate` names a server to behave like (see impersonate.py); ValueError if unknown.
    """
    chosen = persona_named(impersonate)
    app = Starlette(
        routes=_routes(),
        middleware=[Middleware(DemoMiddleware)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    bundled = load_bundled(data_dir)
    app.state.store = Store.with_data(bundled)
    if variants.SOURCE_ID in bundled:
        source = bundled[variants.SOURCE_ID]
        for conversation, items in variants.prompt_variants(source.conversation, list(source.items.items)):
            app.state.store.add_unlisted(conversation, items)
    app.state.responses = response_index({cid: (b.conversation, b.items.items) for cid, b in bundled.items()})
    app.state.persona = chosen
    app.state.faults = faults if faults is not None else Faults()
    app.state.fault_injector = FaultInjector()
    app.state.stats = Stats()
    return app


def _routes() -> list[Route]:
    conversation = "/v1/conversations/{conversation_id}"
    return [
        Route("/v1/conversations", list_conversations, methods=["GET"]),
        Route("/v1/conversations", create_conversation, methods=["POST"]),
        Route(conversation, retrieve_conversation, methods=["GET"]),
        Route(conversation, update_conversation, methods=["POST"]),
        Route(conversation, delete_conversation, methods=["DELETE"]),
        Route(conversation + "/items", list_items, methods=["GET"]),
        Route(conversation + "/items", create_items, methods=["POST"]),
        Route(conversation + "/items/{item_id}", retrieve_item, methods=["GET"]),
        Route(conversation + "/items/{item_id}", delete_item, methods=["DELETE"]),
        Route("/v1/responses/{response_id}", retrieve_response, methods=["GET"]),
        Route("/v1/_demo/stats", demo_stats, methods=["GET"]),
        Route("/v1/_demo/reset", demo_reset, methods=["POST"]),
        Route("/v1/_demo/faults", demo_get_faults, methods=["GET"]),
        Route("/v1/_demo/faults", demo_set_faults, methods=["POST"]),
        Route("/v1/_demo/pictures/{name}", demo_picture, methods=["GET"]),
    ]


# --- Conversations ---------------------------------------------------------------------------

async def list_conversations(request: Request) -> Response:
    """Foundry's listConversations: ordered by created_at, cursors are conversation ids."""
    if not _persona(request).lists_conversations:
        # OpenAI, Azure OpenAI and Llama Stack route /conversations for POST only.
        raise HTTPException(405, headers={"Allow": "POST"})
    _check_params(request, {"limit", "order", "after", "before", "agent_name", "agent_id"})
    params = _list_params(request)
    request.app.state.stats.conversation_list_calls.append(params.as_record(conversation_id=None))
    conversations = request.app.state.store.listed_conversations()
    positions = {c["id"]: i for i, c in enumerate(conversations)}
    after = _cursor_position(params.after, "after", positions.get)
    before = _cursor_position(params.before, "before", positions.get)
    after, before, forced_has_more = _list_faults(request, after, before)
    page, has_more = select_page(
        walk_all, len(conversations), order=params.order, after=after, before=before, limit=params.limit
    )
    return _list_response(
        request, [conversations[p] for p in page], forced_has_more if forced_has_more is not None else has_more
    )


async def create_conversation(request: Request) -> Response:
    _check_params(request, set())
    body = await _json_body(request, required=False)
    items = new_items(body["items"]) if body.get("items") is not None else []
    record = request.app.state.store.create(validate_metadata(body.get("metadata")), items)
    return APIResponse(record.conversation)


async def retrieve_conversation(request: Request) -> Response:
    _check_params(request, set())
    return APIResponse(_conversation(request).conversation)


async def update_conversation(request: Request) -> Response:
    _check_params(request, set())
    body = await _json_body(request, required=True)
    if "metadata" not in body:
        raise missing_parameter("metadata")
    record = _conversation(request)
    record.conversation["metadata"] = validate_metadata(body["metadata"])
    return APIResponse(record.conversation)


async def delete_conversation(request: Request) -> Response:
    _check_params(request, set())
    conversation_id = request.path_params["conversation_id"]
    request.app.state.store.delete(conversation_id)
    return APIResponse({"id": conversation_id, "object": "conversation.deleted", "deleted": True})


# --- Items -----------------------------------------------------------------------------------

async def list_items(request: Request) -> Response:
    persona = _persona(request)
    _check_params(
        request,
        {"limit", "order", "after"}
        | persona.include_param_names(persona.include_on_list)
        | ({"before"} if persona.before == "honour" else set())
        | ({"item_type"} if persona.item_type == "honour" else set()),
    )
    params = _list_params(request)
    include = parse_include(request.query_params, persona.include_on_list)
    item_type = (request.query_params.get("item_type") or None) if persona.item_type == "honour" else None
    conversation_id = request.path_params["conversation_id"]
    request.app.state.stats.list_calls.append(params.as_record(conversation_id=conversation_id))
    faults: Faults = request.app.state.faults
    timeline = _conversation(request).timeline
    if faults.append_on_list:
        timeline.append(new_items([_appended_message(len(timeline) + n) for n in range(faults.append_on_list)]))
    after = _cursor_position(params.after, "after", timeline.position_of)
    before = _cursor_position(params.before, "before", timeline.position_of)
    after, before, forced_has_more = _list_faults(request, after, before)
    limit = faults.fixed_page_size or params.limit
    if after is not None and faults.overlap_pages:
        # Start early: the end of the previous page comes again (step back in walk order).
        after += -faults.overlap_pages if params.order == "asc" else faults.overlap_pages
        after = after if 0 <= after < len(timeline) else None
    page, has_more = select_page(
        timeline.walker(item_type), len(timeline), order=params.order, after=after, before=before, limit=limit
    )
    items = [strip_item(timeline.item_at(p), include) for p in page]
    if faults.duplicate_every:
        every = faults.duplicate_every
        items = [copy for n, item in enumerate(items, 1) for copy in ([item, item] if n % every == 0 else [item])]
    return _list_response(request, items, forced_has_more if forced_has_more is not None else has_more)


def _appended_message(number: int) -> dict[str, Any]:
    text = f"appended while the client was paging ({number})"
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


async def create_items(request: Request) -> Response:
    include = _retrieve_include(request)
    body = await _json_body(request, required=True)
    if "items" not in body:
        raise missing_parameter("items")
    timeline = _conversation(request).timeline
    items = new_items(body["items"])
    timeline.append(items)
    return _list_response(request, [strip_item(item, include) for item in items], has_more=False)


async def retrieve_item(request: Request) -> Response:
    include = _retrieve_include(request)
    timeline, position = _item(request)
    return APIResponse(strip_item(timeline.item_at(position), include))


async def delete_item(request: Request) -> Response:
    """OpenAI answers an item delete with the parent conversation, not a 'deleted' object."""
    _check_params(request, set())
    record = _conversation(request)
    item_id = request.path_params["item_id"]
    if not record.timeline.delete(item_id):
        raise item_not_found(item_id)
    return APIResponse(record.conversation)


# --- Responses (only retrieval: which conversation a response belongs to) -------------------

async def retrieve_response(request: Request) -> Response:
    response_id = request.path_params["response_id"]
    response = request.app.state.responses.get(response_id)
    if response is None:
        raise ApiError(404, f"Response with id '{response_id}' not found.")
    return APIResponse(response)


# --- Demo control routes (not part of the API) ----------------------------------------------

async def demo_stats(request: Request) -> Response:
    return APIResponse(request.app.state.stats.to_json())


async def demo_picture(request: Request) -> Response:
    """A picture at a URL, like the image URLs items point at (the viewer fetches on request)."""
    served = served_picture(request.path_params["name"])
    if served is None:
        raise HTTPException(404)
    data, media_type = served
    return Response(data, media_type=media_type)


async def demo_reset(request: Request) -> Response:
    request.app.state.stats.reset()
    return APIResponse({"ok": True})


async def demo_get_faults(request: Request) -> Response:
    return APIResponse(faults_to_json(request.app.state.faults))


async def demo_set_faults(request: Request) -> Response:
    body = await _json_body(request, required=False)
    try:
        request.app.state.faults = faults_from_json(body)
    except (TypeError, ValueError) as exc:
        raise bad_request(f"Invalid faults: {exc}") from exc
    return APIResponse(faults_to_json(request.app.state.faults))


# --- Helpers ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ListParams:
    limit: int
    order: str
    after: str | None
    before: str | None

    def as_record(self, *, conversation_id: str | None) -> dict[str, Any]:
        return {
            "conversation_id": conversation_id,
            "order": self.order,
            "after": self.after,
            "before": self.before,
            "limit": self.limit,
        }


def _persona(request: Request) -> Persona:
    return request.app.state.persona


def _check_params(request: Request, allowed: set[str]) -> None:
    """A strict impersonation rejects query parameters its endpoint does not define."""
    persona = _persona(request)
    query = request.query_params
    for name, policy in (("before", persona.before), ("item_type", persona.item_type)):
        if policy == "reject" and name in query and name not in allowed:
            raise unknown_parameter(name)
    if not persona.strict_params:
        return
    for name in query.keys():
        if name not in allowed and name not in persona.extra_params:
            raise unknown_parameter(name)


def _retrieve_include(request: Request) -> frozenset[str]:
    """`include` on retrieve and create (Llama Stack reads none there: an empty form set)."""
    persona = _persona(request)
    _check_params(request, persona.include_param_names(persona.include_on_retrieve))
    return parse_include(request.query_params, persona.include_on_retrieve)


def _list_params(request: Request) -> ListParams:
    query = request.query_params
    order = query.get("order") or "desc"  # OpenAI's default for items
    if order not in ("asc", "desc"):
        raise invalid_value("order", order, ["asc", "desc"])
    faults: Faults = request.app.state.faults
    # A server that ignores the cursor usually does not cap `limit` either (Llama Stack).
    uncapped = faults.ignore_after or faults.repeat_first_page or _persona(request).cursors_ignored
    return ListParams(
        limit=_parse_limit(query.get("limit"), UNCAPPED_LIMIT if uncapped else MAX_LIMIT),
        order=order,
        after=query.get("after") or None,
        before=(query.get("before") or None) if _persona(request).before == "honour" else None,
    )


def _parse_limit(raw: str | None, max_limit: int = MAX_LIMIT) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise bad_request(
            f"Invalid 'limit': expected an integer, but got '{raw}' instead.", param="limit", code="invalid_type"
        ) from None
    if limit < 1:
        raise bad_request(
            f"Invalid 'limit': integer below minimum value. Expected a value >= 1, but got {limit} instead.",
            param="limit",
            code="integer_below_min_value",
        )
    if limit > max_limit:
        raise bad_request(
            f"Invalid 'limit': integer above maximum value. Expected a value <= {max_limit}, but got {limit} instead.",
            param="limit",
            code="integer_above_max_value",
        )
    return limit


def _cursor_position(cursor: str | None, param: str, position_of: Any) -> int | None:
    if cursor is None:
        return None
    position = position_of(cursor)
    if position is None:
        raise bad_request(f"Invalid '{param}': no object with id '{cursor}' in this list.", param=param, code="invalid_value")
    return position


def _list_faults(request: Request, after: int | None, before: int | None) -> tuple[int | None, int | None, bool | None]:
    """Broken-server modes: ignore the cursors and lie about has_more (None = tell the truth)."""
    faults: Faults = request.app.state.faults
    if faults.repeat_first_page or _persona(request).cursors_ignored:
        return None, None, True
    if faults.ignore_after:
        return None, None, False
    return after, before, None


def _list_response(request: Request, data: list[dict[str, Any]], has_more: bool) -> APIResponse:
    body: dict[str, Any] = {"object": "list"} if _persona(request).list_object else {}
    body.update(
        data=data,
        first_id=data[0].get("id") if data else None,
        last_id=data[-1].get("id") if data and not request.app.state.faults.null_last_id else None,
        has_more=has_more,
    )
    return APIResponse(body)


def _conversation(request: Request) -> ConversationRecord:
    return request.app.state.store.get(request.path_params["conversation_id"])


def _item(request: Request) -> tuple[Timeline, int]:
    timeline = _conversation(request).timeline
    item_id = request.path_params["item_id"]
    position = timeline.live_position_of(item_id)
    if position is None:
        raise item_not_found(item_id)
    return timeline, position


async def _json_body(request: Request, *, required: bool) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}  # handlers report missing required fields by name
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_request(BAD_JSON_MESSAGE) from None
    if body is None and not required:
        return {}
    if not isinstance(body, dict):
        raise bad_request("Invalid body: expected a JSON object.", code="invalid_type")
    return body


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response(_persona(request).error_style)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Router 404/405s, in the impersonated server's error shape (OpenAI's by default)."""
    assert isinstance(exc, HTTPException)
    style = _persona(request).error_style
    if style == "fastapi":
        return APIResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    what = "Invalid URL" if exc.status_code == 404 else exc.detail
    message = f"{what} ({request.method} {request.url.path})"
    return ApiError(exc.status_code, message, headers=dict(exc.headers or {})).response(style)
