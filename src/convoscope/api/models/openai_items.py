"""Models of the 29 item types of the OpenAI SDK's ConversationItem union (reference §2.1).

Field names and types follow `sdk_item_fields.txt`; every field is optional (see base.py).
Each class lists its spec-required fields in REQUIRED and its pairing key in PAIR_*.
"""

import shlex
from typing import Any

from pydantic import Field

from .base import Caller, Item, Link, Loose, Part, tolerant
from .content import ContentPart, ReasoningPart, SummaryPart, ToolOutputPart, headline, parts_preview
from .text import SUMMARY_LIMIT, compact_json_text, first_line, one_line, preview_value

ARROW = "→"
OUTPUT_MARK = "↳"


def qualified(*names: str | None) -> str:
    """ "ns.name" from the parts that are present."""
    return ".".join(name for name in names if name)


def call_text(name: str, arguments: str | None, limit: int = SUMMARY_LIMIT) -> str:
    """`name({"compact":"json"})`, the arguments cut to `limit` characters."""
    return f"{name}({one_line(compact_json_text(arguments or ''), limit)})"


def output_preview(output: str | list[Part] | None) -> str:
    """A tool output that is either a string or a list of content parts."""
    if isinstance(output, list):
        return parts_preview(output)
    return preview_value(output)


def answered(name: str | None, output: str) -> str:
    """`↳ name → output`, or `↳ output` when the output does not repeat the name."""
    return f"{OUTPUT_MARK} {name} {ARROW} {output}" if name else f"{OUTPUT_MARK} {output}"


def labelled(head: str, detail: str | None) -> str:
    """`head: detail`, or just `head` when there is no detail."""
    return f"{head}: {detail}" if detail else head


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# ---------------------------------------------------------------------------------------------
# message
# ---------------------------------------------------------------------------------------------


class Message(Item):
    REQUIRED = ("id", "role", "content", "status")
    type: str = "message"
    role: str | None = None
    content: list[ContentPart] | None = None
    phase: str | None = None

    def _label(self) -> str:
        return self.role or "message"

    def _summary(self) -> str:
        phase = f" [{self.phase}]" if self.phase else ""
        return f"{self._label()}{phase}: {headline(self.content)}"


# ---------------------------------------------------------------------------------------------
# function calls and custom tools
# ---------------------------------------------------------------------------------------------


class FunctionCall(Item):
    REQUIRED = ("id", "call_id", "name", "arguments", "status")
    PAIR_FIELD = "call_id"
    type: str = "function_call"
    call_id: str | None = None
    name: str | None = None
    arguments: str | None = None
    namespace: str | None = None
    caller: Caller | None = None
    async_: bool | None = Field(default=None, alias="async")

    def _label(self) -> str:
        return qualified(self.namespace, self.name) or "function"

    def _summary(self) -> str:
        return call_text(self._label(), self.arguments)


class FunctionCallOutput(Item):
    REQUIRED = ("id", "output", "status")
    PAIR_FIELD = "call_id"
    PAIR_ROLE = "output"
    type: str = "function_call_output"
    call_id: str | None = None
    output: str | list[ToolOutputPart] | None = None
    name: str | None = None
    namespace: str | None = None
    caller: Caller | None = None

    def _label(self) -> str:
        return qualified(self.namespace, self.name) or "output"

    def _summary(self) -> str:
        return answered(qualified(self.namespace, self.name), output_preview(self.output))


class CustomToolCall(Item):
    REQUIRED = ("call_id", "name", "input")
    PAIR_FIELD = "call_id"
    type: str = "custom_tool_call"
    call_id: str | None = None
    name: str | None = None
    input: str | None = None
    namespace: str | None = None
    caller: Caller | None = None
    async_: bool | None = Field(default=None, alias="async")

    def _label(self) -> str:
        return qualified(self.namespace, self.name) or "custom_tool"

    def _summary(self) -> str:
        return f"{self._label()}: {self.input or ''}"


class CustomToolCallOutput(Item):
    REQUIRED = ("call_id", "output")
    PAIR_FIELD = "call_id"
    PAIR_ROLE = "output"
    type: str = "custom_tool_call_output"
    call_id: str | None = None
    output: str | list[ToolOutputPart] | None = None
    caller: Caller | None = None

    def _label(self) -> str:
        return "output"

    def _summary(self) -> str:
        return answered(None, output_preview(self.output))


# ---------------------------------------------------------------------------------------------
# hosted tools that carry their results inline
# ---------------------------------------------------------------------------------------------


class FileSearchResult(Loose):
    file_id: str | None = None
    filename: str | None = None
    score: float | None = None
    text: str | None = None
    attributes: dict[str, Any] | None = None


class FileSearchCall(Item):
    REQUIRED = ("id", "queries", "status")
    type: str = "file_search_call"
    queries: list[str] | None = None
    results: list[FileSearchResult] | None = None

    def _label(self) -> str:
        return "file_search"

    def _summary(self) -> str:
        queries = "; ".join(f'"{query}"' for query in self.queries or ())
        found = f" {ARROW} {plural(len(self.results), 'result')}" if self.results is not None else ""
        return f"file_search {queries}{found}"


class WebSource(Loose):
    type: str | None = None
    url: str | None = None


class WebSearchAction(Part):
    type: str = "search"
    query: str | None = None
    queries: list[str] | None = None
    sources: list[WebSource] | None = None

    def preview(self) -> str:
        query = self.query or "; ".join(self.queries or ())
        sources = f" {ARROW} {plural(len(self.sources), 'source')}" if self.sources else ""
        return f'web_search "{query}"{sources}'


class OpenPageAction(Part):
    type: str = "open_page"
    url: str | None = None

    def preview(self) -> str:
        return f"open {self.url or ''}".rstrip()


class FindInPageAction(Part):
    type: str = "find_in_page"
    ALSO_TYPES = ("find",)  # the older spelling
    url: str | None = None
    pattern: str | None = None

    def preview(self) -> str:
        return f'find "{self.pattern or ""}" in {self.url or ""}'.rstrip()


class WebSearchCall(Item):
    REQUIRED = ("id", "action", "status")
    type: str = "web_search_call"
    action: tolerant(WebSearchAction, OpenPageAction, FindInPageAction) | None = None

    def _label(self) -> str:
        return "web_search"

    def _summary(self) -> str:
        if self.action is None:
            return "web_search"
        if isinstance(self.action, (WebSearchAction, OpenPageAction, FindInPageAction)):
            return self.action.preview()
        return f"web_search {self.action.preview()}"


class ModerationDetails(Loose):
    categories: list[str] | None = None
    moderation_stage: str | None = None


class ImageGenerationError(Loose):
    code: str | None = None
    message: str | None = None
    param: str | None = None
    type: str | None = None
    moderation_details: ModerationDetails | None = None


class SvgUsage(Loose):
    input_tokens: int | None = None
    model: str | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    total_tokens: int | None = None


class ImageGenerationCall(Item):
    REQUIRED = ("id", "status")
    type: str = "image_generation_call"
    result: str | None = None
    revised_prompt: str | None = None
    action: str | None = None
    background: str | None = None
    output_format: str | None = None
    quality: str | None = None
    size: str | None = None
    error: ImageGenerationError | None = None
    svg_usage: SvgUsage | None = None

    def _label(self) -> str:
        return "image_generation"

    def _summary(self) -> str:
        if self.error is not None:
            return f"image failed: {self.error.message or self.error.code or ''}"
        details = ", ".join(value for value in (self.size, self.output_format) if value)
        text = "image" + (f" [{details}]" if details else "")
        if self.revised_prompt:
            text += f' "{one_line(self.revised_prompt, 200)}"'
        return text


class CodeLogs(Part):
    type: str = "logs"
    logs: str | None = None

    def preview(self) -> str:
        return self.logs or ""


class CodeImage(Part):
    type: str = "image"
    url: str | None = None

    def preview(self) -> str:
        return "[image]"


class CodeInterpreterCall(Item):
    REQUIRED = ("id", "container_id", "status")
    type: str = "code_interpreter_call"
    code: str | None = None
    container_id: str | None = None
    outputs: list[tolerant(CodeLogs, CodeImage)] | None = None

    def _label(self) -> str:
        return "code_interpreter"

    def _summary(self) -> str:
        outputs = f" {ARROW} {plural(len(self.outputs), 'output')}" if self.outputs is not None else ""
        return f"python: {first_line(self.code or '', 200)}{outputs}"


# ---------------------------------------------------------------------------------------------
# computer use
# ---------------------------------------------------------------------------------------------


class DragPoint(Loose):
    x: int | None = None
    y: int | None = None


class PointerAction(Part):
    """Shared by the actions that target a screen position."""

    x: int | None = None
    y: int | None = None
    keys: list[str] | None = None

    def preview(self) -> str:
        return f"{self.type}({self.x},{self.y})"


class ClickAction(PointerAction):
    type: str = "click"
    button: str | None = None

    def preview(self) -> str:
        button = f" {self.button}" if self.button and self.button != "left" else ""
        return f"click({self.x},{self.y}){button}"


class DoubleClickAction(PointerAction):
    type: str = "double_click"


class MoveAction(PointerAction):
    type: str = "move"


class ScrollAction(PointerAction):
    type: str = "scroll"
    scroll_x: int | None = None
    scroll_y: int | None = None

    def preview(self) -> str:
        return f"scroll({self.x},{self.y} by {self.scroll_x},{self.scroll_y})"


class DragAction(Part):
    type: str = "drag"
    path: list[DragPoint] | None = None
    keys: list[str] | None = None

    def preview(self) -> str:
        if not self.path:
            return "drag"
        start, end = self.path[0], self.path[-1]
        return f"drag({start.x},{start.y}{ARROW}{end.x},{end.y})"


class KeypressAction(Part):
    type: str = "keypress"
    keys: list[str] | None = None

    def preview(self) -> str:
        return f"keypress {'+'.join(self.keys or ())}".rstrip()


class TypeAction(Part):
    type: str = "type"
    text: str | None = None

    def preview(self) -> str:
        return f'type "{one_line(self.text or "", 60)}"'


class ScreenshotAction(Part):
    type: str = "screenshot"

    def preview(self) -> str:
        return "screenshot"


class WaitAction(Part):
    type: str = "wait"

    def preview(self) -> str:
        return "wait"


ComputerAction = tolerant(
    ClickAction,
    DoubleClickAction,
    DragAction,
    KeypressAction,
    MoveAction,
    ScreenshotAction,
    ScrollAction,
    TypeAction,
    WaitAction,
)


class SafetyCheck(Loose):
    id: str | None = None
    code: str | None = None
    message: str | None = None


class ComputerCall(Item):
    REQUIRED = ("id", "call_id", "pending_safety_checks", "status")
    PAIR_FIELD = "call_id"
    type: str = "computer_call"
    call_id: str | None = None
    pending_safety_checks: list[SafetyCheck] | None = None
    action: ComputerAction | None = None
    actions: list[ComputerAction] | None = None

    def _label(self) -> str:
        return "computer"

    def _summary(self) -> str:
        actions = list(self.actions or ()) or ([self.action] if self.action is not None else [])
        if len(actions) == 1:
            return f"computer {actions[0].preview()}"
        listed = ", ".join(action.preview() for action in actions)
        return labelled(f"computer {plural(len(actions), 'action')}", listed)


class ComputerScreenshotOutput(Loose):
    type: str | None = None
    file_id: str | None = None
    image_url: str | None = None


def image_reference(file_id: str | None, image_url: str | None) -> str:
    """A file id, a URL, or for inline data URLs only their media type and size."""
    if file_id:
        return file_id
    if not image_url:
        return ""
    if image_url.startswith("data:"):
        media_type = image_url[5:].split(";", 1)[0].split(",", 1)[0]
        return f"({media_type or 'data'}, {len(image_url) // 1024} KB inline)"
    return one_line(image_url, 120)


class ComputerCallOutput(Item):
    REQUIRED = ("id", "call_id", "output", "status")
    PAIR_FIELD = "call_id"
    PAIR_ROLE = "output"
    type: str = "computer_call_output"
    call_id: str | None = None
    output: ComputerScreenshotOutput | None = None
    acknowledged_safety_checks: list[SafetyCheck] | None = None

    def _label(self) -> str:
        return "computer"

    def _summary(self) -> str:
        if self.output is None:
            return f"{OUTPUT_MARK} screenshot"
        return f"{OUTPUT_MARK} screenshot {image_reference(self.output.file_id, self.output.image_url)}".rstrip()


# ---------------------------------------------------------------------------------------------
# tool search, tool lists, configuration
# ---------------------------------------------------------------------------------------------


class ToolDefinition(Part):
    """Any tool definition (function, mcp, web_search, …): only what a summary needs is typed."""

    name: str | None = None
    server_label: str | None = None

    def preview(self) -> str:
        if self.name:
            return self.name
        if self.server_label:
            return f"mcp[{self.server_label}]"
        return self.type or "tool"


ToolEntry = tolerant(fallback=ToolDefinition)


def tool_names(tools: list[Part] | None) -> str:
    return ", ".join(tool.preview() for tool in tools or ())


class ToolSearchCall(Item):
    REQUIRED = ("id", "arguments", "execution", "status")
    PAIR_FIELD = "call_id"
    type: str = "tool_search_call"
    call_id: str | None = None
    arguments: Any = None
    execution: str | None = None

    def _label(self) -> str:
        return "tool_search"

    def _summary(self) -> str:
        return f"tool_search {preview_value(self.arguments)}".rstrip()


class ToolSearchOutput(Item):
    REQUIRED = ("id", "execution", "status", "tools")
    PAIR_FIELD = "call_id"
    PAIR_ROLE = "output"
    type: str = "tool_search_output"
    call_id: str | None = None
    execution: str | None = None
    tools: list[ToolEntry] | None = None

    def _label(self) -> str:
        return "tool_search"

    def _summary(self) -> str:
        tools = self.tools or []
        return labelled(f"{OUTPUT_MARK} loaded {plural(len(tools), 'tool')}", tool_names(tools))


class AdditionalTools(Item):
    REQUIRED = ("id", "role", "tools")
    type: str = "additional_tools"
    role: str | None = None
    tools: list[ToolEntry] | None = None

    def _label(self) -> str:
        return "tools"

    def _summary(self) -> str:
        role = f" ({self.role})" if self.role else ""
        return labelled(f"+tools{role}", tool_names(self.tools))


class ReasoningConfig(Loose):
    effort: str | None = None


class PlainTextFormat(Part):
    type: str = "text"

    def preview(self) -> str:
        return "text"


class JsonSchemaFormat(Part):
    type: str = "json_schema"
    name: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    description: str | None = None
    strict: bool | None = None

    def preview(self) -> str:
        return f"json_schema:{self.name}" if self.name else "json_schema"


class TextConfig(Loose):
    format: tolerant(PlainTextFormat, JsonSchemaFormat) | None = None


class ConfigurationUpdate(Item):
    REQUIRED = ("id",)
    type: str = "configuration_update"
    reasoning: ReasoningConfig | None = None
    text: TextConfig | None = None

    def _label(self) -> str:
        return "config"

    def _summary(self) -> str:
        settings = []
        if self.reasoning is not None and self.reasoning.effort:
            settings.append(f"effort={self.reasoning.effort}")
        if self.text is not None and self.text.format is not None:
            settings.append(f"format={self.text.format.preview().strip('[]')}")
        return "config: " + (", ".join(settings) or "(no settings)")


# ---------------------------------------------------------------------------------------------
# reasoning, programs, compaction
# ---------------------------------------------------------------------------------------------


class Reasoning(Item):
    REQUIRED = ("id", "summary")
    type: str = "reasoning"
    # Named summary_parts because Item.summary() is the one-line summary method.
    summary_parts: list[SummaryPart] | None = Field(default=None, alias="summary")
    content: list[ReasoningPart] | None = None
    encrypted_content: str | None = None

    def _label(self) -> str:
        return "reasoning"

    def _summary(self) -> str:
        for parts in (self.summary_parts, self.content):
            text = next((part.preview() for part in parts or () if part.preview().strip()), "")
            if text:
                return f"thinking: {first_line(text)}"
        return "[encrypted reasoning]" if self.encrypted_content else "thinking: (no summary)"


class Program(Item):
    REQUIRED = ("id", "call_id", "code", "fingerprint")
    PAIR_FIELD = "call_id"
    type: str = "program"
    call_id: str | None = None
    code: str | None = None
    fingerprint: str | None = None

    def _label(self) -> str:
        return "program"

    def _pair_links(self) -> tuple[Link, ...]:
        # A program is also the parent of the tool calls whose caller names its call_id.
        if not self.call_id:
            return ()
        return (Link("call:" + self.call_id, "call"), Link("program_caller:" + self.call_id, "call"))

    def _summary(self) -> str:
        code = self.code or ""
        lines = len(code.splitlines())
        return labelled(f"program ({plural(lines, 'line')} of JS)", first_line(code, 200))


class ProgramOutput(Item):
    REQUIRED = ("id", "call_id", "result", "status")
    PAIR_FIELD = "call_id"
    PAIR_ROLE = "output"
    type: str = "program_output"
    call_id: str | None = None
    result: str | None = None

    def _label(self) -> str:
        return "program"

    def _summary(self) -> str:
        return answered("program", self.result or "")


class Compaction(Item):
    REQUIRED = ("id", "encrypted_content")
    type: str = "compaction"
    encrypted_content: str | None = None

    def _label(self) -> str:
        return "compaction"

    def _summary(self) -> str:
        return "[compacted context]"


# ---------------------------------------------------------------------------------------------
# shells and patches
# ---------------------------------------------------------------------------------------------


class LocalShellAction(Loose):
    type: str | None = None
    command: list[str] | None = None
    env: dict[str, str] | None = None
    timeout_ms: int | None = None
    user: str | None = None
    working_directory: str | None = None


class LocalShellCall(Item):
    REQUIRED = ("id", "call_id", "status", "action")
    PAIR_FIELD = "call_id"
    type: str = "local_shell_call"
    call_id: str | None = None
    action: LocalShellAction | None = None

    def _label(self) -> str:
        return "local_shell"

    def _summary(self) -> str:
        command = self.action.command if self.action is not None else None
        return f"$ {shlex.join(command or ())}"


class LocalShellCallOutput(Item):
    REQUIRED = ("id", "output")
    # No call_id: the output's own id is the call_id of its local_shell_call (reference §2.2).
    PAIR_FIELD = "id"
    PAIR_ROLE = "output"
    type: str = "local_shell_call_output"
    output: str | None = None

    def _label(self) -> str:
        return "local_shell"

    def _summary(self) -> str:
        return answered(None, compact_json_text(self.output or ""))


class LocalEnvironment(Part):
    type: str = "local"

    def preview(self) -> str:
        return ""


class ContainerReference(Part):
    type: str = "container_reference"
    container_id: str | None = None

    def preview(self) -> str:
        return f"[{self.container_id}]" if self.container_id else "[container]"


class ShellAction(Loose):
    commands: list[str] | None = None
    timeout_ms: int | None = None
    max_output_length: int | None = None


class ShellCall(Item):
    REQUIRED = ("id", "call_id", "status", "action")
    PAIR_FIELD = "call_id"
    type: str = "shell_call"
    call_id: str | None = None
    action: ShellAction | None = None
    environment: tolerant(LocalEnvironment, ContainerReference) | None = None
    caller: Caller | None = None

    def _label(self) -> str:
        return "shell"

    def _summary(self) -> str:
        commands = self.action.commands if self.action is not None else None
        where = self.environment.preview() if self.environment is not None else ""
        return f"$ {' && '.join(commands or ())} {where}".rstrip()


class ExitOutcome(Part):
    type: str = "exit"
    exit_code: int | None = None

    def preview(self) -> str:
        return f"exit {self.exit_code}"


class TimeoutOutcome(Part):
    type: str = "timeout"

    def preview(self) -> str:
        return "timeout"


def last_line(text: str | None) -> str:
    # The tail of a command's output is usually the interesting part (result, error).
    lines = [line for line in (text or "")[-2000:].splitlines() if line.strip()]
    return lines[-1] if lines else ""


class ShellCommandOutput(Loose):
    stdout: str | None = None
    stderr: str | None = None
    outcome: tolerant(ExitOutcome, TimeoutOutcome) | None = None
    created_by: str | None = None

    def preview(self) -> str:
        outcome = self.outcome.preview() if self.outcome is not None else "?"
        tail = last_line(self.stdout) or last_line(self.stderr)
        return f"{outcome}: {one_line(tail, 120)}" if tail else outcome


class ShellCallOutput(Item):
    REQUIRED = ("id", "call_id", "status", "output")
    PAIR_FIELD = "call_id"
    PAIR_ROLE = "output"
    type: str = "shell_call_output"
    call_id: str | None = None
    output: list[ShellCommandOutput] | None = None
    max_output_length: int | None = None
    caller: Caller | None = None

    def _label(self) -> str:
        return "shell"

    def _summary(self) -> str:
        return answered(None, "; ".join(command.preview() for command in self.output or ()))


def diff_counts(diff: str | None) -> str:
    """`(+3 −1)` from a patch body; file headers (+++/---) are not changes."""
    lines = (diff or "").splitlines()
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return f"(+{added} −{removed})"


class CreateFileOperation(Part):
    type: str = "create_file"
    path: str | None = None
    diff: str | None = None

    def preview(self) -> str:
        return f"create {self.path} {diff_counts(self.diff)}"


class UpdateFileOperation(Part):
    type: str = "update_file"
    path: str | None = None
    diff: str | None = None

    def preview(self) -> str:
        return f"update {self.path} {diff_counts(self.diff)}"


class DeleteFileOperation(Part):
    type: str = "delete_file"
    path: str | None = None

    def preview(self) -> str:
        return f"delete {self.path}"


class ApplyPatchCall(Item):
    REQUIRED = ("id", "call_id", "status", "operation")
    PAIR_FIELD = "call_id"
    type: str = "apply_patch_call"
    call_id: str | None = None
    operation: tolerant(CreateFileOperation, UpdateFileOperation, DeleteFileOperation) | None = None
    caller: Caller | None = None

    def _label(self) -> str:
        return "apply_patch"

    def _summary(self) -> str:
        return f"patch {self.operation.preview()}" if self.operation is not None else "patch"


class ApplyPatchCallOutput(Item):
    REQUIRED = ("id", "call_id", "status")
    PAIR_FIELD = "call_id"
    PAIR_ROLE = "output"
    type: str = "apply_patch_call_output"
    call_id: str | None = None
    output: str | None = None
    caller: Caller | None = None

    def _label(self) -> str:
        return "apply_patch"

    def _summary(self) -> str:
        detail = f": {self.output}" if self.output else ""
        return f"{OUTPUT_MARK} patch {self.status or ''}{detail}"


# ---------------------------------------------------------------------------------------------
# MCP
# ---------------------------------------------------------------------------------------------


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
