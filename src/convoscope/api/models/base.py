"""The base of every conversation item model, pairing links and tolerant nested parts.

Data from servers is untrusted and the item catalogue keeps growing, so the models follow three
rules:

* every field except `type` is optional: a missing spec-required field is reported by
  `Item.spec_warnings()`, it never fails parsing;
* only a wrong *type* fails validation, and `parse_item` then falls back to `GenericItem`;
* nested unions (content parts, actions, annotations, …) never fail their parent: an unknown or
  invalid part becomes a `GenericPart` that keeps its dict.
"""

import functools
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, SerializeAsAny, ValidationError

from .text import one_line, preview_value, short, to_json

LinkRole = Literal["call", "output", "child"]

_UNSET = object()


@dataclass(frozen=True, slots=True)
class Link:
    """A pairing key. Items sharing a key belong together (call ↔ output, request ↔ response).

    role: "call" = the initiating side, "output" = its answer, "child" = a tool call made from
    a program item (key "program_caller:<program call_id>").
    """

    key: str
    role: LinkRole


class Loose(BaseModel):
    """Base of nested objects: unknown fields are kept, aliases and field names both accepted."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class AgentReference(Loose):
    """Foundry: the agent that created the item."""

    type: str | None = None
    name: str | None = None
    version: str | None = None


class Caller(Loose):
    """Who issued a tool call: {"type":"direct"} or {"type":"program","caller_id":<program call_id>}."""

    type: str | None = None
    caller_id: str | None = None


# ---------------------------------------------------------------------------------------------
# Validation error text
# ---------------------------------------------------------------------------------------------

_EXPECTED = {
    "string_type": "a string",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
    "none_required": "null",
}


# pydantic puts union member names ("str", "list[…]", "function-plain[…]") in error locations;
# they mean nothing to a user reading "field 'output'".
_UNION_TAGS = {"str", "int", "float", "bool", "dict", "list", "none", "constrained-str"}


def _is_field_part(part: object) -> bool:
    return isinstance(part, int) or (isinstance(part, str) and "[" not in part and part not in _UNION_TAGS)


def _field_path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc if _is_field_part(part))


def describe_validation_error(type_name: str, error: ValidationError) -> str:
    """One human line, e.g. "function_call: field 'arguments': expected a string, got 12"."""
    errors = error.errors(include_url=False)
    path = _field_path(errors[0]["loc"])
    same_field = [e for e in errors if _field_path(e["loc"]) == path]
    expectations = list(dict.fromkeys(_EXPECTED.get(e["type"], "") for e in same_field))
    if all(expectations):
        problem = "expected " + " or ".join(expectations)
    else:
        message = errors[0]["msg"]
        problem = message[:1].lower() + message[1:]
    text = f"{type_name}: field '{path}': {problem}, got {short(same_field[0].get('input'))}"
    others = len(errors) - len(same_field)
    if others:
        text += f" (+{others} more)"
    return one_line(text)


# ---------------------------------------------------------------------------------------------
# Nested parts
# ---------------------------------------------------------------------------------------------


class Part(Loose):
    """A typed member of a nested union. Subclasses set `type`'s default to their tag."""

    type: str | None = None
    # Whether preview() is readable text (used to pick a message's headline part).
    TEXTUAL: ClassVar[bool] = False
    # Extra tags that map to this class (spelling drift between API versions).
    ALSO_TYPES: ClassVar[tuple[str, ...]] = ()

    def preview(self) -> str:
        """Short text for summaries."""
        return f"[{self.type}]"


class GenericPart(Part):
    """A nested part of unknown type, or one that failed validation. Keeps its dict as fields."""

    type: Any = None
    validation_error: str | None = Field(default=None, exclude=True)

    @classmethod
    def from_raw(cls, value: object, error: str | None = None) -> "GenericPart":
        try:
            part = cls.model_construct(**value) if isinstance(value, dict) else cls.model_construct(value=value)
        except TypeError:  # keys that cannot be keyword arguments
            part = cls.model_construct(value=value)
        part.validation_error = error
        return part

    def preview(self) -> str:
        if isinstance(self.type, str):
            return f"[{self.type}]"
        value = (self.model_extra or {}).get("value")
        return preview_value(value) if value is not None else "[part]"


def _part_parser(by_type: dict[str, type[Part]], fallback: type[Part] | None):
    def parse(value: object) -> Part:
        if isinstance(value, Part):
            return value
        if not isinstance(value, dict):
            return GenericPart.from_raw(value, f"expected an object, got {short(value)}")
        tag = value.get("type")
        part_class = by_type.get(tag) if isinstance(tag, str) else None
        part_class = part_class or fallback
        if part_class is None:
            return GenericPart.from_raw(value)
        try:
            # The core validator directly: model_validate adds a Python layer per part.
            return part_class.__pydantic_validator__.validate_python(value)
        except ValidationError as error:
            return GenericPart.from_raw(value, describe_validation_error(str(tag), error))

    return parse


def tolerant(*part_classes: type[Part], fallback: type[Part] | None = None) -> Any:
    """Annotated type for a nested union that never fails its parent.

    Dispatches on the part's "type" to one of `part_classes` (by the default of their `type`
    field, plus ALSO_TYPES); unknown tags go to `fallback` if given; anything unknown or
    invalid becomes a GenericPart. SerializeAsAny makes model_dump() emit the real subclass.
    """
    by_type: dict[str, type[Part]] = {}
    for part_class in part_classes:
        for tag in (part_class.model_fields["type"].default, *part_class.ALSO_TYPES):
            by_type[tag] = part_class
    return SerializeAsAny[Annotated[Part, PlainValidator(_part_parser(by_type, fallback))]]


# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------


class Item(BaseModel):
    """Base of every conversation item. See the module docstring for the tolerance rules."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)
    # The parsed-from dict lives in a plain slot, not a pydantic private attribute: private
    # attributes cost a Python call and a dict per instance, which doubled parse time.
    __slots__ = ("_source", "_repair")

    # JSON names of the fields the spec marks required (checked by spec_warnings()).
    REQUIRED: ClassVar[tuple[str, ...]] = ()
    # Declarative pairing: the field whose value forms the key, the key's prefix and our role.
    PAIR_FIELD: ClassVar[str | None] = None
    PAIR_PREFIX: ClassVar[str] = "call:"
    PAIR_ROLE: ClassVar[LinkRole] = "call"

    type: str
    id: str | None = None
    status: str | None = None
    agent_reference: AgentReference | None = None
    response_id: str | None = None
    created_by: str | None = None

    @property
    def raw(self) -> Any:
        """The exact JSON dict the item was parsed from (same object), or a dump of the model.

        Only a GenericItem made from a non-object (say a bare string in `data`) has a non-dict raw.
        """
        source = getattr(self, "_source", _UNSET)
        if source is not _UNSET:
            return source
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")

    def _keep_source(self, raw: object) -> None:
        object.__setattr__(self, "_source", raw)

    @property
    def validation_error(self) -> str | None:
        """Why the typed model rejected the item; only ever set on GenericItem."""
        return None

    @property
    def repair(self) -> str | None:
        """What the client had to repair to read this item (invalid UTF-8, too deep), if anything."""
        return getattr(self, "_repair", None)

    # -- summary and label: subclasses override _summary() / _label(); the public methods
    #    make them safe (never raise, one line, bounded).

    def summary(self) -> str:
        """One plain-text line describing the item; never raises."""
        try:
            return one_line(self._summary())
        except Exception:  # odd data our phrasing did not foresee: show the JSON instead
            pass
        try:
            return one_line(_raw_preview(self.type, self.raw))
        except Exception:
            return one_line(str(self.type) or "item")

    def _summary(self) -> str:
        return _raw_preview(self.type, self.raw)

    @property
    def label(self) -> str:
        """Short column text: role, tool/function name, or a type-ish word."""
        try:
            text = self._label()
        except Exception:
            text = self.type
        return one_line(str(text or "item"), 80)

    def _label(self) -> str:
        return self.type

    # -- pairing

    def links(self) -> tuple[Link, ...]:
        """Pairing keys shared with related items (call ↔ output, approval, program caller)."""
        try:
            return (*self._pair_links(), *self._caller_links())
        except Exception:
            return ()

    def _pair_links(self) -> tuple[Link, ...]:
        value = getattr(self, self.PAIR_FIELD, None) if self.PAIR_FIELD else None
        if isinstance(value, str) and value:
            return (Link(self.PAIR_PREFIX + value, self.PAIR_ROLE),)
        return ()

    def _caller_links(self) -> tuple[Link, ...]:
        # __dict__ holds only declared fields; getattr() on a model without `caller` would go
        # through pydantic's __getattr__ and an exception, which made links() 10x slower.
        caller = self.__dict__.get("caller")
        if isinstance(caller, Caller) and caller.type == "program" and caller.caller_id:
            return (Link("program_caller:" + caller.caller_id, "child"),)
        return ()

    # -- spec conformance

    def spec_warnings(self) -> list[str]:
        """Spec-required fields that are missing (or null), and what had to be repaired."""
        missing = [
            f"missing required field '{name}'"
            for name in self.REQUIRED
            if getattr(self, _attribute_for(type(self), name), None) is None
        ]
        return [self.repair, *missing] if self.repair else missing


def flag_repaired(item: Item, repair: str | None) -> Item:
    """Mark `item` as repaired by the client (None: leave it alone); returns the item."""
    if repair:
        object.__setattr__(item, "_repair", repair)
    return item


@functools.cache
def _attribute_for(model: type[BaseModel], json_name: str) -> str:
    """The Python attribute behind a JSON field name (cached: asked for every item of a walk)."""
    for attribute, field in model.model_fields.items():
        if (field.alias or attribute) == json_name:
            return attribute
    return json_name


def _raw_preview(type_name: object, raw: object) -> str:
    """`<type> {k: v, …}`: the item's JSON without its type, compact."""
    if isinstance(raw, dict):
        rest = {key: value for key, value in raw.items() if key != "type"}
        body = to_json(rest)
    else:
        body = to_json(raw)
    name = type_name if isinstance(type_name, str) and type_name else "item"
    return f"{name} {body}"


class GenericItem(Item):
    """An item of unknown type, or one the typed model rejected (see validation_error)."""

    __slots__ = ("_validation_error",)
    type: str = ""

    @property
    def validation_error(self) -> str | None:
        return getattr(self, "_validation_error", None)

    @classmethod
    def from_raw(cls, raw: object, error: str | None = None) -> "GenericItem":
        """Wrap anything without validating it; common fields are kept when well-typed."""
        try:
            item = cls.model_construct(**_well_typed_common_fields(raw)) if isinstance(raw, dict) else cls.model_construct()
        except TypeError:  # a key that cannot be a keyword argument, such as "_fields_set"
            item = cls.model_construct()
        item._keep_source(raw)
        object.__setattr__(item, "_validation_error", error)
        return item

    def _label(self) -> str:
        return self.type or "item"

    def _pair_links(self) -> tuple[Link, ...]:
        # Guess for types we do not know yet: a string call_id pairs an "*_output" with its call.
        call_id = self.raw.get("call_id") if isinstance(self.raw, dict) else None
        if isinstance(call_id, str) and call_id:
            return (Link("call:" + call_id, "output" if self.type.endswith("_output") else "call"),)
        return ()

    def _caller_links(self) -> tuple[Link, ...]:
        caller = self.raw.get("caller") if isinstance(self.raw, dict) else None
        if isinstance(caller, dict) and caller.get("type") == "program" and isinstance(caller.get("caller_id"), str):
            return (Link("program_caller:" + caller["caller_id"], "child"),)
        return ()

    def spec_warnings(self) -> list[str]:
        found = [self.repair, self.validation_error]
        return [warning for warning in found if warning]


_COMMON_STRING_FIELDS = ("type", "id", "status", "response_id", "created_by")


def _well_typed_common_fields(raw: dict) -> dict[str, Any]:
    """The raw dict, minus common fields of the wrong type (GenericItem is built unvalidated)."""
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            continue
        if key in _COMMON_STRING_FIELDS and not isinstance(value, str):
            continue
        if key == "agent_reference":
            value = _agent_reference_or_none(value)
            if value is None:
                continue
        fields[key] = value
    return fields


def _agent_reference_or_none(value: object) -> AgentReference | None:
    try:
        return AgentReference.model_validate(value)
    except ValidationError:
        return None


__all__ = [
    "AgentReference",
    "Caller",
    "GenericItem",
    "GenericPart",
    "Item",
    "Link",
    "Loose",
    "Part",
    "describe_validation_error",
    "flag_repaired",
    "tolerant",
]
