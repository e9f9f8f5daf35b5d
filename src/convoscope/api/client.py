"""The async Conversations API client: one `httpx.AsyncClient`, typed results, observable retries.

It knows endpoints, parameters, retries and error shapes, and nothing about paging strategy or
widgets. Every id that goes into a path is percent-encoded as one segment, so an id can never
change which endpoint a request reaches.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote

import httpx

from convoscope import __version__
from convoscope.api.decode import Decoded, NotJSONError, decode_body
from convoscope.api.errors import (
    STATUS_REASONS,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    BadResponseError,
    error_class_for,
    one_line,
    parse_error_body,
    scrub,
)
from convoscope.api import models  # models.parse_item loads every item model: on first use
from convoscope.api.models import (
    Conversation,
    ConversationPage,
    Item,
    ItemPage,
    flag_repaired,
)
from convoscope.api.profile import Profile, Secret
from convoscope.api.retry import RetryEvent, RetryPolicy, server_retry_delay

log = logging.getLogger("convoscope.api")

Order = Literal["asc", "desc"]
IncludeForm = Literal["brackets", "comma"]
"""How `include` goes on the query string: `include[]=a&include[]=b` (the official SDK) or
`include=a,b` (OpenAPI `explode: false`, which Azure OpenAI v1's spec declares; reference §6.3)."""
INCLUDE_FORMS: tuple[IncludeForm, ...] = ("brackets", "comma")
RetryListener = Callable[[RetryEvent], None]

MAX_PAGE_LIMIT = 100
MAX_ITEMS_PER_CREATE = 20
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
REQUEST_ID_HEADERS = ("x-request-id", "apim-request-id", "request-id", "x-ms-request-id")


def path_segment(value: str) -> str:
    """Percent-encode `value` as exactly one path segment."""
    if not isinstance(value, str) or value in ("", ".", ".."):
        raise ValueError(f"not a valid id: {value!r}")
    return quote(value, safe="")


class ConversationsClient:
    """Async client for the Conversations endpoints of one server (one `Profile`)."""

    def __init__(
        self,
        profile: Profile,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        on_retry: RetryListener | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        rng: random.Random | None = None,
        include_form: IncludeForm = "brackets",
    ) -> None:
        self.profile = profile
        self.include_form = include_form
        self.retry = retry or RetryPolicy()
        self._retry_listeners: list[RetryListener] = [on_retry] if on_retry else []
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._base_url = profile.base_url.rstrip("/")
        self._secrets = [profile.api_key.reveal()] if profile.api_key else []
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": f"convoscope/{__version__}", "Accept": "application/json"},
            follow_redirects=False,
        )

    # --- lifecycle -------------------------------------------------------------------------------

    async def __aenter__(self) -> ConversationsClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def set_api_key(self, key: Secret) -> None:
        """Use a new key from the next request on (after a login)."""
        self.profile = dataclasses.replace(self.profile, api_key=key)
        self._secrets.append(key.reveal())  # old keys stay scrubbed from messages too

    def add_retry_listener(self, listener: RetryListener) -> None:
        self._retry_listeners.append(listener)

    def remove_retry_listener(self, listener: RetryListener) -> None:
        if listener in self._retry_listeners:
            self._retry_listeners.remove(listener)

    @property
    def include_form(self) -> IncludeForm:
        """How `include` is sent; set it from detected capabilities (`Capabilities.apply`)."""
        return self._include_form

    @include_form.setter
    def include_form(self, form: IncludeForm) -> None:
        if form not in INCLUDE_FORMS:
            raise ValueError(f"include_form must be one of {', '.join(INCLUDE_FORMS)}, got {form!r}")
        self._include_form: IncludeForm = form

    def __repr__(self) -> str:
        return f"ConversationsClient(profile={self.profile.name!r}, base_url={self._base_url!r})"

    # --- conversations ---------------------------------------------------------------------------

    async def retrieve_conversation(self, conversation_id: str) -> Conversation:
        body = await self._request("GET", ("conversations", conversation_id))
        return _validated(Conversation, body.data, "conversation")

    async def create_conversation(
        self,
        items: Sequence[Mapping[str, Any]] | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Conversation:
        _check_create_size(items or ())
        body: dict[str, Any] = {}
        if items is not None:
            body["items"] = list(items)
        if metadata is not None:
            body["metadata"] = dict(metadata)
        answer = await self._request("POST", ("conversations",), json_body=body)
        return _validated(Conversation, answer.data, "conversation")

    async def delete_conversation(self, conversation_id: str) -> None:
        """Delete a conversation (used only to remove what `copy` made to probe a server)."""
        await self._request("DELETE", ("conversations", conversation_id))

    async def list_conversations(
        self,
        *,
        limit: int = 20,
        order: Order | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> ConversationPage | None:
        """A page of the server's conversations, or None when the server has no such listing.

        OpenAI and Azure OpenAI have no list endpoint; Foundry and the demo server do. A 404 or
        405 here means "not offered", not a failure.
        """
        params = _page_params(limit=limit, order=order, after=after, before=before)
        try:
            body = await self._request("GET", ("conversations",), params=params)
        except APIStatusError as error:
            if error.status_code in (404, 405):
                return None
            raise
        return _page(ConversationPage, body)

    # --- items -----------------------------------------------------------------------------------

    async def list_items(
        self,
        conversation_id: str,
        *,
        limit: int = MAX_PAGE_LIMIT,
        order: Order = "asc",
        after: str | None = None,
        before: str | None = None,
        include: Iterable[str] = (),
        item_type: str | None = None,
        include_form: IncludeForm | None = None,
    ) -> ItemPage:
        """One page of items. `before` and `item_type` exist only on some servers (Foundry).

        `include_form` overrides the client's form for this call (capability probes use it).
        """
        params = _page_params(limit=limit, order=order, after=after, before=before)
        if item_type:
            params.append(("item_type", item_type))
        params.extend(_include_params(include, include_form or self.include_form))
        body = await self._request(
            "GET", ("conversations", conversation_id, "items"), params=params
        )
        return _page(ItemPage, body)

    async def retrieve_item(
        self,
        conversation_id: str,
        item_id: str,
        *,
        include: Iterable[str] = (),
        include_form: IncludeForm | None = None,
    ) -> Item:
        body = await self._request(
            "GET",
            ("conversations", conversation_id, "items", item_id),
            params=_include_params(include, include_form or self.include_form),
        )
        if not isinstance(body.data, dict):
            raise BadResponseError(f"expected an item object, got {type(body.data).__name__}")
        return flag_repaired(models.parse_item(body.data), body.repair_for(()))

    async def create_items(
        self,
        conversation_id: str,
        items: Sequence[Mapping[str, Any]],
        *,
        include: Iterable[str] = (),
    ) -> ItemPage:
        """Add up to 20 items (the API's limit per call) in one request."""
        _check_create_size(items)
        body = await self._request(
            "POST",
            ("conversations", conversation_id, "items"),
            params=_include_params(include, self.include_form),
            json_body={"items": list(items)},
        )
        return _page(ItemPage, body)

    # --- responses (only to find the conversation a response belongs to) --------------------------

    async def retrieve_response(self, response_id: str) -> Any:
        """`GET /responses/{id}`: the response object, as JSON (see `api.responses`)."""
        return (await self._request("GET", ("responses", response_id))).data

    # --- transport -------------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        segments: tuple[str, ...],
        *,
        params: list[tuple[str, str]] | None = None,
        json_body: Any = None,
    ) -> Decoded:
        """Send one logical request, retrying per policy; return the decoded JSON body."""
        path = "/" + "/".join(path_segment(s) for s in segments)
        url = self._base_url + path
        started = time.monotonic()
        attempt = 1
        try:
            while True:
                try:
                    return await self._attempt(method, url, params, json_body)
                except _Retryable as retryable:
                    delay = self._delay_for(retryable, attempt)
                    elapsed = time.monotonic() - started
                    if delay is None or elapsed + delay > self.retry.total_budget_s:
                        _explain_giving_up(retryable, self.retry.max_server_delay_s)
                        raise retryable.error from None
                    self._emit_retry(method, path, attempt, delay, retryable)
                    await self._sleep(delay)
                    attempt += 1
        finally:
            if attempt > 1:
                # Whatever happened, the retries of this request are over: notices about them end.
                self._emit_retry_over(method, path, attempt)

    async def _attempt(
        self, method: str, url: str, params: list[tuple[str, str]] | None, json_body: Any
    ) -> Any:
        """One HTTP exchange. Raises `_Retryable` wrapping an `APIError` when a retry may help."""
        is_read = method == "GET"
        try:
            response = await self._http.request(
                method, url, params=params, json=json_body, headers=self.profile.headers()
            )
        except httpx.ConnectError as exc:
            # Nothing reached the server: safe to repeat, even a create.
            raise _Retryable(APIConnectionError(self._describe_transport(exc, "could not connect")))
        except httpx.TimeoutException as exc:
            error = APITimeoutError(self._describe_transport(exc, "timed out"))
            if is_read or isinstance(exc, httpx.ConnectTimeout):
                raise _Retryable(error)
            raise error from None
        except httpx.TransportError as exc:
            error = APIConnectionError(self._describe_transport(exc, "connection failed"))
            if is_read:
                raise _Retryable(error)
            raise error from None
        return self._decode(method, response)

    def _decode(self, method: str, response: httpx.Response) -> Decoded:
        request_id = _request_id(response.headers)
        if response.is_success:
            try:
                return decode_body(response.content, response.headers.get("content-type", ""))
            except NotJSONError as problem:
                error = BadResponseError(
                    scrub(problem.description, self._secrets), request_id=request_id
                )
                # A cut-off body from a flaky proxy is worth another try on a read; an HTML page
                # or plain text from the wrong URL will be the same next time.
                if method == "GET" and problem.will_change:
                    raise _Retryable(error) from None
                raise error from None
        error = self._status_error(response, request_id)
        if self.retry.status_is_retryable(method, response.status_code, response.headers):
            raise _Retryable(error, server_delay=error.retry_after_s)
        raise error

    def _status_error(self, response: httpx.Response, request_id: str | None) -> APIStatusError:
        fields = parse_error_body(response.content, response.headers.get("content-type", ""))
        cls = error_class_for(response.status_code)
        return cls(
            status_code=response.status_code,
            server_message=scrub(fields["message"] or "", self._secrets),
            error_type=fields.get("type"),
            code=fields.get("code"),
            param=fields.get("param"),
            request_id=request_id,
            retry_after_s=server_retry_delay(response.headers),
        )

    def _describe_transport(self, exc: Exception, what: str) -> str:
        detail = one_line(scrub(str(exc), self._secrets), 160)
        host = httpx.URL(self._base_url).host
        return f"{what} to {host}" + (f": {detail}" if detail else "")

    def _delay_for(self, retryable: _Retryable, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None to give up now."""
        if attempt >= self.retry.max_attempts:
            return None
        server_delay = retryable.server_delay
        if server_delay is not None and server_delay > 0:
            return server_delay if server_delay <= self.retry.max_server_delay_s else None
        return self.retry.backoff_delay(attempt - 1, self._rng)

    def _emit_retry(
        self, method: str, path: str, attempt: int, delay: float, retryable: _Retryable
    ) -> None:
        error = retryable.error
        reason = (
            f"{error.status_code} {STATUS_REASONS.get(error.status_code, 'Error')}"
            if isinstance(error, APIStatusError)
            else one_line(error.message, 1000)
        )
        event = RetryEvent(
            method=method,
            path=path,
            attempt=attempt,
            max_attempts=self.retry.max_attempts,
            delay_s=delay,
            reason=reason,
            server_directed=retryable.server_delay is not None and retryable.server_delay > 0,
        )
        log.info("%s %s: %s", method, path, event.describe())
        for listener in list(self._retry_listeners):
            listener(event)

    def _emit_retry_over(self, method: str, path: str, attempts: int) -> None:
        event = RetryEvent(
            method=method, path=path, attempt=attempts, max_attempts=self.retry.max_attempts,
            delay_s=0.0, reason="", server_directed=False, finished=True,
        )
        for listener in list(self._retry_listeners):
            listener(event)


def _explain_giving_up(retryable: _Retryable, cap_s: float) -> None:
    """A Retry-After longer than we wait: say what the server asked for and when to try again."""
    asked = retryable.server_delay
    if asked is None or asked <= cap_s:
        return
    when = time.strftime("%H:%M:%S", time.localtime(time.time() + asked))
    retryable.error.add_detail(
        f"the server asks to wait {_duration(asked)} before retrying (longer than convoscope "
        f"waits on its own): try again after {when}"
    )


def _duration(seconds: float) -> str:
    if seconds < 600:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class _Retryable(Exception):
    """Internal: an attempt failed in a way a retry may fix."""

    def __init__(self, error: APIError, server_delay: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.server_delay = server_delay


# --- helpers ---------------------------------------------------------------------------------------


def _page_params(
    *, limit: int, order: str | None, after: str | None, before: str | None
) -> list[tuple[str, str]]:
    # Above MAX_PAGE_LIMIT only on purpose: asking a server that ignores the cursor for everything.
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    params = [("limit", str(limit))]
    if order:
        params.append(("order", order))
    if after:
        params.append(("after", after))
    if before:
        params.append(("before", before))
    return params


def _include_params(include: Iterable[str], form: IncludeForm) -> list[tuple[str, str]]:
    values = list(dict.fromkeys(include))
    if not values:
        return []
    if form == "comma":
        return [("include", ",".join(values))]
    # The official SDK's form: include[]=a&include[]=b.
    return [("include[]", value) for value in values]


def _check_create_size(items: Sequence[Any]) -> None:
    if len(items) > MAX_ITEMS_PER_CREATE:
        raise ValueError(
            f"the API accepts at most {MAX_ITEMS_PER_CREATE} items per call, got {len(items)}"
        )


def _request_id(headers: httpx.Headers) -> str | None:
    for name in REQUEST_ID_HEADERS:
        if value := headers.get(name):
            return one_line(value, 80)
    return None


def _page(model: type[ItemPage] | type[ConversationPage], body: Decoded) -> Any:
    try:
        page = model.from_json(body.data)
    except ValueError as exc:
        raise BadResponseError(f"server sent a malformed page: {one_line(str(exc), 160)}") from None
    if body.repairs and isinstance(page, ItemPage):
        # Flag exactly the items we had to repair; the rest of the page is as the server sent it.
        page.data = [
            flag_repaired(item, body.repair_for(("data", index))) for index, item in enumerate(page.data)
        ]
    return page


def _validated(model: type[Conversation], data: Any, what: str) -> Conversation:
    if not isinstance(data, dict):
        raise BadResponseError(f"expected a {what} object, got {type(data).__name__}")
    try:
        conversation = model.model_validate(data)
    except ValueError as exc:
        raise BadResponseError(f"server sent a malformed {what}: {one_line(str(exc), 160)}") from None
    return conversation
