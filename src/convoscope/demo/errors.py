"""OpenAI-shaped errors: {"error": {"message", "type", "param", "code"}}."""

from __future__ import annotations

from typing import Any

from convoscope.demo.responses import APIResponse

# Type and code OpenAI uses for statuses the fault injector can produce.
_STATUS_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Bad request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("invalid_request_error", "unsupported_country_region_territory", "Permission denied."),
    404: ("invalid_request_error", None, "Not found."),
    405: ("invalid_request_error", None, "Method not allowed."),
    408: ("server_error", "timeout", "Request timed out."),
    409: ("invalid_request_error", "conflict", "Conflict: the resource is locked, try again."),
    422: ("invalid_request_error", None, "Unprocessable entity."),
    429: (
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for requests (demo server). Please try again shortly.",
    ),
    500: ("server_error", "server_error", "The server had an error while processing your request. Sorry about that!"),
    502: ("server_error", "bad_gateway", "Bad gateway."),
    503: ("server_error", "service_unavailable", "The server is overloaded or not ready yet."),
    504: ("server_error", "timeout", "Gateway timeout."),
}

BAD_JSON_MESSAGE = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
    "your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not "
    "valid JSON. If you have trouble figuring out how to fix this, please contact us through our "
    "help center at help.openai.com.)"
)


class ApiError(Exception):
    """Raised by handlers; rendered by the app's exception handler."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.type = type
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.message, type=self.type, param=self.param, code=self.code)

    def response(self, style: str = "openai") -> APIResponse:
        """The error as a server of `style` answers it (see demo/impersonate.py)."""
        if style == "azure":
            return APIResponse(self.azure_body(), status_code=self.status, headers=self.headers)
        if style == "fastapi":
            return self.fastapi_response()
        return APIResponse(self.body(), status_code=self.status, headers=self.headers)

    def azure_body(self) -> dict[str, Any]:
        """Azure OpenAI v1's AzureErrorResponse: {error: {code, message, param, type: "error"}}."""
        code = self.code or _AZURE_CODES.get(self.status, "Error")
        return {"error": {"code": code, "message": self.message, "param": self.param, "type": "error"}}

    def fastapi_response(self) -> APIResponse:
        """FastAPI's shapes: {"detail": "..."}, and 422 {"detail": [...]} for a bad parameter."""
        if self.status == 400 and self.param:
            detail = [{"type": self.code or "value_error", "loc": ["query", self.param], "msg": self.message}]
            return APIResponse({"detail": detail}, status_code=422, headers=self.headers)
        return APIResponse({"detail": self.message}, status_code=self.status, headers=self.headers)


_AZURE_CODES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed"}


def error_body(message: str, *, type: str, param: str | None, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def status_error(status: int, *, headers: dict[str, str] | None = None) -> ApiError:
    """A generic error for `status`, as the fault injector returns it."""
    type_, code, message = _STATUS_ERRORS.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None, f"HTTP {status}.")
    )
    return ApiError(status, message, type=type_, code=code, headers=headers)


def bad_request(message: str, *, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, param=param, code=code)


def invalid_value(param: str, value: object, allowed: list[str]) -> ApiError:
    supported = ", ".join(f"'{a}'" for a in allowed[:-1]) + f" and '{allowed[-1]}'" if len(allowed) > 1 else f"'{allowed[0]}'"
    return bad_request(
        f"Invalid value: '{value}'. Supported values are: {supported}.", param=param, code="invalid_value"
    )


def unknown_parameter(param: str) -> ApiError:
    """What our strict impersonations answer to a query parameter the endpoint does not define."""
    return bad_request(f"Unknown parameter: '{param}'.", param=param, code="unknown_parameter")


def missing_parameter(param: str) -> ApiError:
    return bad_request(f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter")


def conversation_not_found(conversation_id: str) -> ApiError:
    return ApiError(404, f"Conversation with id '{conversation_id}' not found.")


def item_not_found(item_id: str) -> ApiError:
    return ApiError(404, f"Item with id '{item_id}' not found.")
