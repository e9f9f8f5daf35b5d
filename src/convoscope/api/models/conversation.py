"""Conversations and list pages (reference §1.1, §6.2, §6.3).

A page only fails when the page itself is malformed; one bad entry never fails it. A wrongly
typed page or conversation field (say `first_id: 12`) is dropped, not fatal.
"""

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, ValidationError, field_validator

from .base import Item, describe_validation_error
from .text import short, to_json

Model = TypeVar("Model", bound=BaseModel)


def validate_leniently(model: type[Model], raw: dict, what: str) -> tuple[Model, str | None]:
    """Validate `raw`; if that fails, drop the top-level fields that failed and validate again.

    Returns the model and a one-line reason when fields were dropped.
    """
    try:
        return model.model_validate(raw), None
    except ValidationError as error:
        reason = describe_validation_error(what, error)
        failed = {issue["loc"][0] for issue in error.errors() if issue["loc"]}
    try:
        return model.model_validate({k: v for k, v in raw.items() if k not in failed}), reason
    except ValidationError:
        return model.model_construct(), reason


class Conversation(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)
    __slots__ = ("_source", "_validation_error")  # as on Item: cheaper than private attributes

    id: str | None = None
    object: str | None = None
    created_at: int | None = None
    metadata: dict[str, str] | None = None

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata_values_as_strings(cls, value: object) -> object:
        # The spec says string values; a number or a boolean is shown as its JSON text.
        if isinstance(value, dict):
            return {str(key): item if isinstance(item, str) else to_json(item) for key, item in value.items()}
        return value

    @property
    def raw(self) -> Any:
        """The exact JSON dict this conversation was parsed from, or a dump of the model."""
        if hasattr(self, "_source"):
            return self._source
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")

    @property
    def validation_error(self) -> str | None:
        """Why some fields were dropped, if any were."""
        return getattr(self, "_validation_error", None)

    @classmethod
    def from_json(cls, raw: object) -> "Conversation":
        """Parse a conversation object. Raises ValueError only when `raw` is not an object."""
        if not isinstance(raw, dict):
            raise ValueError(f"conversation: expected a JSON object, got {short(raw)}")
        conversation, reason = validate_leniently(cls, raw, "conversation")
        object.__setattr__(conversation, "_source", raw)
        object.__setattr__(conversation, "_validation_error", reason)
        return conversation


def _page_data(raw: object, what: str) -> list:
    """The page's `data` list, or ValueError when the page itself is malformed."""
    if not isinstance(raw, dict):
        raise ValueError(f"{what}: expected a JSON object, got {short(raw)}")
    if "data" not in raw:
        raise ValueError(f"{what}: missing field 'data'")
    if not isinstance(raw["data"], list):
        raise ValueError(f"{what}: field 'data': expected a list, got {short(raw['data'])}")
    return raw["data"]


class ItemPage(BaseModel):
    """One page of `GET /conversations/{id}/items` (Foundry's has no `object`)."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    object: str | None = None
    data: list[SerializeAsAny[Item]] = Field(default_factory=list)
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool | None = None

    @field_validator("data", mode="before")
    @classmethod
    def _parse_items(cls, value: object) -> object:
        if isinstance(value, list):
            from .registry import parse_item  # every item model: loaded with the first item page

            return [entry if isinstance(entry, Item) else parse_item(entry) for entry in value]
        return value

    @classmethod
    def from_json(cls, raw: object) -> "ItemPage":
        """Parse a page; ValueError only if it is not an object or has no `data` list."""
        _page_data(raw, "item list")
        page, _ = validate_leniently(cls, raw, "item list")
        return page


class ConversationPage(BaseModel):
    """One page of Foundry's `GET /conversations` (no `object` field in its schema)."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    object: str | None = None
    data: list[SerializeAsAny[Conversation]] = Field(default_factory=list)
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool | None = None

    @field_validator("data", mode="before")
    @classmethod
    def _parse_conversations(cls, value: object) -> object:
        # Entries that are not objects carry nothing a list of conversations could show.
        if isinstance(value, list):
            return [
                entry if isinstance(entry, Conversation) else Conversation.from_json(entry)
                for entry in value
                if isinstance(entry, (dict, Conversation))
            ]
        return value

    @classmethod
    def from_json(cls, raw: object) -> "ConversationPage":
        """Parse a page; ValueError only if it is not an object or has no `data` list."""
        _page_data(raw, "conversation list")
        page, _ = validate_leniently(cls, raw, "conversation list")
        return page
