"""Impersonation: the demo server answering the way another real server does.

`convoscope demo-server --impersonate NAME` (and `create_app(impersonate=NAME)`) switch the
demo's behaviour in the places where servers differ (reference §1, §6.2, §6.3), so that the
viewer's capability detection and fallbacks can be tried against each of them on loopback.
Everything not listed here behaves like the default `demo` server.

| name          | GET /conversations | `before`, `item_type` | `include` forms honoured     | list `object` | errors          |
|---------------|--------------------|-----------------------|------------------------------|---------------|-----------------|
| demo          | yes                | yes                   | include[]=, include=, a,b    | "list"        | OpenAI          |
| openai        | 405 (POST only)    | 400 unknown parameter | include[]= only              | "list"        | OpenAI          |
| azure-openai  | 405 (POST only)    | 400 unknown parameter | include=a,b only             | "list"        | Azure           |
| foundry       | yes                | yes                   | include[]=, include=, a,b    | (absent)      | OpenAI          |
| broken-cursor | yes                | yes (cursors ignored) | include[]=, include=, a,b    | "list"        | OpenAI          |
| llama-stack   | 405 (POST only)    | silently ignored      | include=a&include=b on lists | "list"        | FastAPI detail  |

Facts versus our model of them:

* OpenAI has no conversation listing (`/conversations` is POST only) and no `before` or
  `item_type` (reference §1, §6.3). The reference does not say what OpenAI answers to a query
  parameter it does not define; we model a *strict* server: any query parameter outside the spec's
  list is a 400 `unknown_parameter`. Detection must cope with either answer (400 or ignored).
* Azure OpenAI v1 likewise has no listing and no `before`/`item_type` (§6.2, §6.3). Its spec
  declares `include` with `explode: false`, i.e. the comma form `include=a,b`; how the service
  really parses `include[]` is not stated. OUR MODEL: only `include` (comma-separated) is read,
  and `include[]` is silently ignored, which is the worse case for a client (the gated fields
  just never appear). Unknown parameters are 400s, in Azure's error shape
  `{"error": {"code", "message", "param", "type": "error"}}` (§6.1).
* Foundry has the listing, `before` and `item_type`, and its list responses have no `object`
  field (§6.2, §6.3). It does not declare `include` on list/retrieve; we accept every form.
* broken-cursor is not a product: a server that ignores `after`/`before` and answers the first
  page again, with `has_more: true`, forever.
* llama-stack follows its FastAPI routes (llamastack/llama-stack
  `src/llama_stack/apis/conversations/routes.py`): no GET /conversations; list items takes
  `after`, `include` (a FastAPI list query: `include=a&include=b`), `limit`, `order`; retrieve
  takes no `include` at all; unknown query parameters are ignored, as FastAPI does; errors are
  `{"detail": "..."}` and validation errors 422 `{"detail": [{loc, msg, type}]}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ParamPolicy = Literal["honour", "reject", "ignore"]
IncludeForm = Literal["brackets", "repeated", "comma"]
"""`include[]=a&include[]=b`, `include=a&include=b`, `include=a,b`."""
ErrorStyle = Literal["openai", "azure", "fastapi"]

ALL_FORMS: frozenset[IncludeForm] = frozenset({"brackets", "repeated", "comma"})


@dataclass(frozen=True)
class Persona:
    name: str
    description: str
    lists_conversations: bool = True
    before: ParamPolicy = "honour"
    item_type: ParamPolicy = "honour"
    include_on_list: frozenset[IncludeForm] = ALL_FORMS
    include_on_retrieve: frozenset[IncludeForm] = ALL_FORMS
    list_object: bool = True
    """Whether list responses carry `"object": "list"`."""
    cursors_ignored: bool = False
    """List endpoints ignore `after`/`before` and say has_more: true (a looping server)."""
    error_style: ErrorStyle = "openai"
    strict_params: bool = False
    """Query parameters the endpoint does not define are a 400 `unknown_parameter`."""
    extra_params: frozenset[str] = frozenset()
    """Parameters a strict server accepts (and ignores) besides the ones it uses."""

    def include_param_names(self, forms: frozenset[IncludeForm]) -> set[str]:
        names = set()
        if "brackets" in forms:
            names.add("include[]")
        if forms & {"repeated", "comma"}:
            names.add("include")
        return names


PERSONAS: dict[str, Persona] = {
    persona.name: persona
    for persona in (
        Persona("demo", "everything supported (listing, before, item_type, every include form)"),
        Persona(
            "openai",
            "no listing (405), before/item_type rejected (400), include[]= only",
            lists_conversations=False,
            before="reject",
            item_type="reject",
            include_on_list=frozenset({"brackets"}),
            include_on_retrieve=frozenset({"brackets"}),
            strict_params=True,
        ),
        Persona(
            "azure-openai",
            "no listing (405), before/item_type rejected (400), comma include=a,b only, Azure errors",
            lists_conversations=False,
            before="reject",
            item_type="reject",
            include_on_list=frozenset({"comma"}),
            include_on_retrieve=frozenset({"comma"}),
            error_style="azure",
            strict_params=True,
            # Our model: include[] is read by nobody (ignored, not rejected); api-version is
            # the optional `v1`|`preview` query parameter of the v1 surface (reference §6.1).
            extra_params=frozenset({"include[]", "api-version"}),
        ),
        Persona(
            "foundry",
            "listing, before, item_type; list responses without `object`",
            list_object=False,
        ),
        Persona(
            "broken-cursor",
            "ignores after/before: the first page again with has_more true, forever",
            cursors_ignored=True,
        ),
        Persona(
            "llama-stack",
            "no listing (405), before/item_type ignored, include=a&include=b on lists only, "
            "FastAPI {\"detail\": ...} errors",
            lists_conversations=False,
            before="ignore",
            item_type="ignore",
            include_on_list=frozenset({"repeated"}),
            include_on_retrieve=frozenset(),
            error_style="fastapi",
        ),
    )
}

PERSONA_NAMES: tuple[str, ...] = tuple(PERSONAS)


def persona_named(name: str) -> Persona:
    try:
        return PERSONAS[name]
    except KeyError:
        raise ValueError(
            f"unknown server to impersonate: {name!r} (one of {', '.join(PERSONA_NAMES)})"
        ) from None
