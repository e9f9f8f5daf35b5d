"""OpenAI items: messages, function and custom tool calls, tool lists, configuration,
reasoning, programs and compaction (reference §2.1).

The other OpenAI item types are in hosted_tools.py, shell_items.py and mcp_items.py.
Field names and types follow `sdk_item_fields.txt`; every field is optional (see base.py).
Each class lists its spec-required fields in REQUIRED and its pairing key in PAIR_*.
"""

import re
from typing import Any

from pydantic import Field

from .base import Caller, Item, Link, Loose, Part, tolerant
from .content import ContentPart, ReasoningPart, SummaryPart, ToolOutputPart, headline, tool_output_preview
from .text import OUTPUT_MARK, answered, call_text, first_line, labelled, plain_markdown, plural, preview_value, qualified


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
        return answered(qualified(self.namespace, self.name), tool_output_preview(self.output))


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
        return answered(None, tool_output_preview(self.output))


# ---------------------------------------------------------------------------------------------


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
                return f"thinking: {first_line(plain_markdown(text))}"
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
