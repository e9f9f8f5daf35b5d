"""Item types grouped the way a user thinks of them: messages, tool calls, outputs, …

The list colours rows by group, and the type filter toggles groups.
"""

from __future__ import annotations

import enum


class Group(enum.Enum):
    MESSAGE = "messages"
    TOOL_CALL = "tool calls"
    TOOL_OUTPUT = "tool outputs"
    REASONING = "reasoning"
    SHELL = "shell"
    HOSTED = "hosted tools"
    MCP = "MCP"
    OTHER = "other"


_EXPLICIT: dict[str, Group] = {
    "message": Group.MESSAGE,
    "output_message": Group.MESSAGE,
    "reasoning": Group.REASONING,
    "compaction": Group.REASONING,
    "function_call": Group.TOOL_CALL,
    "custom_tool_call": Group.TOOL_CALL,
    "tool_search_call": Group.TOOL_CALL,
    "program": Group.TOOL_CALL,
    "computer_call": Group.TOOL_CALL,
    "apply_patch_call": Group.TOOL_CALL,
    "function_call_output": Group.TOOL_OUTPUT,
    "custom_tool_call_output": Group.TOOL_OUTPUT,
    "tool_search_output": Group.TOOL_OUTPUT,
    "program_output": Group.TOOL_OUTPUT,
    "computer_call_output": Group.TOOL_OUTPUT,
    "apply_patch_call_output": Group.TOOL_OUTPUT,
    "shell_call": Group.SHELL,
    "shell_call_output": Group.SHELL,
    "local_shell_call": Group.SHELL,
    "local_shell_call_output": Group.SHELL,
    "web_search_call": Group.HOSTED,
    "file_search_call": Group.HOSTED,
    "image_generation_call": Group.HOSTED,
    "code_interpreter_call": Group.HOSTED,
    "memory_search_call": Group.HOSTED,
    "memory_search_preview_call": Group.HOSTED,
}

GLYPHS: dict[Group, str] = {
    Group.MESSAGE: "●",
    Group.TOOL_CALL: "▶",
    Group.TOOL_OUTPUT: "◀",
    Group.REASONING: "…",
    Group.SHELL: "$",
    Group.HOSTED: "◆",
    Group.MCP: "⧉",
    Group.OTHER: "·",
}


def group_of(item_type: str) -> Group:
    if item_type in _EXPLICIT:
        return _EXPLICIT[item_type]
    if item_type.startswith("mcp_"):
        return Group.MCP
    # Azure/Foundry hosted tools follow one naming scheme: <tool>_call and <tool>_call_output.
    if item_type.endswith("_call_output"):
        return Group.TOOL_OUTPUT
    if item_type.endswith("_call"):
        return Group.TOOL_CALL
    return Group.OTHER


class TypeFilter:
    """Which rows the list shows: some groups, some exact types, or everything."""

    def __init__(
        self, name: str, groups: frozenset[Group] = frozenset(), types: frozenset[str] = frozenset()
    ) -> None:
        self.name = name
        self.groups = groups
        self.types = types

    @property
    def shows_all(self) -> bool:
        return not self.groups and not self.types

    def accepts(self, item_type: str) -> bool:
        return self.shows_all or item_type in self.types or group_of(item_type) in self.groups


ALL_ITEMS = TypeFilter("all")

# The one-key cycle through common views.
FILTER_CYCLE = (
    ALL_ITEMS,
    TypeFilter("messages", frozenset({Group.MESSAGE})),
    TypeFilter(
        "tool traffic",
        frozenset({Group.TOOL_CALL, Group.TOOL_OUTPUT, Group.SHELL, Group.HOSTED, Group.MCP}),
    ),
)
