"""MCP items: tool listings, approval requests and responses, and tool calls (reference §2.1, §2.2)."""

from typing import Any

from .base import Item, Part, tolerant
from .openai_items import tool_names
from .text import ARROW, call_text, labelled, plural, preview_value, qualified


def mcp_name(server_label: str | None, name: str | None = None) -> str:
    """`mcp[github].create_issue` for summaries."""
    return f"mcp[{server_label or '?'}]" + (f".{name}" if name else "")


def mcp_label(server_label: str | None, name: str | None = None) -> str:
    """`mcp github.create_issue` for the label column."""
    return "mcp " + qualified(server_label, name) if server_label or name else "mcp"


class McpToolInfo(Part):
    name: str | None = None
    input_schema: Any = None
    description: str | None = None
    annotations: Any = None

    def preview(self) -> str:
        return self.name or "?"


class McpListTools(Item):
    REQUIRED = ("id", "server_label", "tools")
    type: str = "mcp_list_tools"
    server_label: str | None = None
    tools: list[tolerant(fallback=McpToolInfo)] | None = None
    error: str | None = None

    def _label(self) -> str:
        return mcp_label(self.server_label)

    def _summary(self) -> str:
        if self.error:
            return f"{mcp_name(self.server_label)} list tools failed: {self.error}"
        tools = self.tools or []
        return labelled(f"{mcp_name(self.server_label)} lists {plural(len(tools), 'tool')}", tool_names(tools))


class McpApprovalRequest(Item):
    REQUIRED = ("id", "server_label", "name", "arguments")
    PAIR_FIELD = "id"
    PAIR_PREFIX = "mcp_approval:"
    type: str = "mcp_approval_request"
    server_label: str | None = None
    name: str | None = None
    arguments: str | None = None

    def _label(self) -> str:
        return mcp_label(self.server_label, self.name)

    def _summary(self) -> str:
        return "? approve " + call_text(mcp_name(self.server_label, self.name), self.arguments)


class McpApprovalResponse(Item):
    REQUIRED = ("id", "approval_request_id", "approve")
    PAIR_FIELD = "approval_request_id"
    PAIR_PREFIX = "mcp_approval:"
    PAIR_ROLE = "output"
    type: str = "mcp_approval_response"
    approval_request_id: str | None = None
    approve: bool | None = None
    reason: str | None = None

    def _label(self) -> str:
        return "approval"

    def _summary(self) -> str:
        reason = f": {self.reason}" if self.reason else ""
        if self.approve is None:
            return f"approval (no decision){reason}"
        return ("✓ approved" if self.approve else "✗ denied") + reason


class McpProtocolError(Part):
    type: str = "mcp_protocol_error"
    code: int | None = None
    message: str | None = None

    def preview(self) -> str:
        return labelled(f"protocol error {self.code}", self.message)


class McpToolExecutionError(Part):
    type: str = "mcp_tool_execution_error"
    content: Any = None

    def preview(self) -> str:
        return labelled("tool error", preview_value(self.content))


class McpHttpError(Part):
    type: str = "http_error"
    code: int | None = None
    message: str | None = None

    def preview(self) -> str:
        return labelled(f"HTTP {self.code}", self.message)


class McpCall(Item):
    REQUIRED = ("id", "server_label", "name", "arguments")
    # An mcp_call made after an approval answers that approval request.
    PAIR_FIELD = "approval_request_id"
    PAIR_PREFIX = "mcp_approval:"
    PAIR_ROLE = "output"
    type: str = "mcp_call"
    server_label: str | None = None
    name: str | None = None
    arguments: str | None = None
    output: str | None = None
    approval_request_id: str | None = None
    # Older servers send the error as a plain string.
    error: str | tolerant(McpProtocolError, McpToolExecutionError, McpHttpError) | None = None

    def _label(self) -> str:
        return mcp_label(self.server_label, self.name)

    def _summary(self) -> str:
        # Short arguments, so that the result still fits on the line.
        text = call_text(mcp_name(self.server_label, self.name), self.arguments, 120)
        if self.error is not None:
            error = self.error if isinstance(self.error, str) else self.error.preview()
            return f"{text} {ARROW} error: {error}"
        if self.output is not None:
            return f"{text} {ARROW} {self.output}"
        return text
