"""The official `openai` SDK against the demo server on loopback: if the SDK can page, fetch,
create and parse everything it serves, the server speaks the real API's shapes."""

from __future__ import annotations

import typing
from typing import Any, Iterator

import openai
import pydantic
import pytest
from openai.types.conversations import ConversationItem

from convoscope.demo import create_app, serve_in_background
from convoscope.demo.bundled import load_bundled
from convoscope.demo.include import INCLUDABLE
from convoscope.demo.synthetic import SyntheticItems

ITEM_ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(ConversationItem)
SDK_ITEM_TYPES = frozenset(
    typing.get_args(member.model_fields["type"].annotation)[0]
    for member in typing.get_args(typing.get_args(ConversationItem)[0])
)
BUNDLED = load_bundled()
BUNDLED_IDS = sorted(BUNDLED)


@pytest.fixture(scope="module")
def client() -> Iterator[openai.OpenAI]:
    with serve_in_background(create_app()) as base_url:
        with openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as sdk:
            yield sdk


def expected_ids(conversation_id: str, order: str) -> list[str]:
    if conversation_id.startswith("conv_synth_"):
        synth = SyntheticItems(int(conversation_id.rsplit("_", 1)[1]))
        ids = [synth.id_at(i) for i in range(len(synth))]
    else:
        ids = [item["id"] for item in BUNDLED[conversation_id].items.items]
    return ids if order == "asc" else ids[::-1]


def test_bundled_data_is_present():
    assert len(BUNDLED) >= 7, "the demo should ship at least seven bundled conversations"


@pytest.mark.parametrize("conversation_id", [*BUNDLED_IDS, "conv_synth_250"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_auto_pagination_yields_every_item_once(client, conversation_id, order):
    page = client.conversations.items.list(conversation_id, limit=7, order=order)
    assert [item.id for item in page] == expected_ids(conversation_id, order)


@pytest.mark.parametrize("conversation_id", [*BUNDLED_IDS, "conv_synth_250"])
def test_retrieve_each_item(client, conversation_id):
    for item_id in expected_ids(conversation_id, "asc")[:80]:
        item = client.conversations.items.retrieve(item_id, conversation_id=conversation_id, include=list(INCLUDABLE))
        assert item.id == item_id


def raw_items(client: openai.OpenAI, conversation_id: str, include: list[str] = list(INCLUDABLE)) -> list[dict[str, Any]]:
    """Every item exactly as the server sent it, fetched through the SDK."""
    items: list[dict[str, Any]] = []
    cursor: dict[str, str] = {}
    while True:
        response = client.conversations.items.with_raw_response.list(
            conversation_id, limit=100, order="asc", include=include, **cursor
        )
        body = response.http_response.json()
        items += body["data"]
        if not body["has_more"]:
            return items
        cursor = {"after": body["last_id"]}


@pytest.mark.parametrize("include", [list(INCLUDABLE), []], ids=["all-includes", "no-includes"])
@pytest.mark.parametrize("conversation_id", BUNDLED_IDS)
def test_every_bundled_item_of_an_sdk_type_validates_strictly(client, conversation_id, include):
    for raw in raw_items(client, conversation_id, include):
        if raw["type"] not in SDK_ITEM_TYPES:
            continue  # Azure/Foundry item types are outside the OpenAI union by design
        assert ITEM_ADAPTER.validate_python(raw).type == raw["type"], raw["id"]


@pytest.mark.parametrize("include", [list(INCLUDABLE), []], ids=["all-includes", "no-includes"])
def test_synthetic_items_validate_strictly(client, include):
    items = raw_items(client, "conv_synth_600", include)
    for raw in items:
        assert ITEM_ADAPTER.validate_python(raw).type == raw["type"], raw["id"]
    assert len({raw["type"] for raw in items}) >= 10


def test_conversation_lifecycle(client):
    conversation = client.conversations.create(
        items=[{"type": "message", "role": "user", "content": "Hello from the SDK"}], metadata={"topic": "sdk"}
    )
    assert conversation.object == "conversation" and conversation.metadata == {"topic": "sdk"}
    assert client.conversations.retrieve(conversation.id).id == conversation.id
    updated = client.conversations.update(conversation.id, metadata={"topic": "renamed"})
    assert updated.metadata == {"topic": "renamed"}

    created = client.conversations.items.create(
        conversation.id,
        items=[
            {"type": "message", "role": "assistant", "content": "Hi!"},
            {"type": "function_call_output", "call_id": "call_1", "output": "42"},
        ],
    )
    assert [item.type for item in created.data] == ["message", "function_call_output"]
    listed = list(client.conversations.items.list(conversation.id, order="asc"))
    assert [item.id for item in listed][1:] == [item.id for item in created.data]

    parent = client.conversations.items.delete(created.data[0].id, conversation_id=conversation.id)
    assert parent.id == conversation.id
    with pytest.raises(openai.NotFoundError):
        client.conversations.items.retrieve(created.data[0].id, conversation_id=conversation.id)

    deleted = client.conversations.delete(conversation.id)
    assert deleted.deleted is True and deleted.object == "conversation.deleted"
    with pytest.raises(openai.NotFoundError):
        client.conversations.retrieve(conversation.id)


def test_errors_map_to_sdk_exceptions(client):
    with pytest.raises(openai.NotFoundError):
        client.conversations.retrieve("conv_does_not_exist")
    with pytest.raises(openai.BadRequestError) as error:
        client.conversations.items.list("conv_synth_10", limit=101)
    assert error.value.param == "limit" and error.value.type == "invalid_request_error"


def test_request_ids_reach_the_sdk(client):
    conversation = client.conversations.retrieve("conv_synth_10")
    assert conversation._request_id and conversation._request_id.startswith("req_")
