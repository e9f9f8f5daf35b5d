"""Azure OpenAI / Microsoft Foundry item types (reference §6.3, §6.4).

`agent_reference` and `response_id`, which every Foundry item may carry, live on Item.
Tool calls come in `<tool>_call` / `<tool>_call_output` pairs linked by `call_id`.
"""

from typing import Any

from .base import GenericItem, Item, Loose
from .openai_items import Message
from .text import OUTPUT_MARK, answered, compact_json_text, labelled, one_line, preview_value

# Outputs are "dict | str | list" (AGENTSERVER ToolCallOutputContent).
ToolCallOutputContent = dict[str, Any] | str | list[Any]


def tool_word(item_type: str) -> str:
    """`bing_custom_search_preview_call_output` → `bing_custom_search`."""
    word = item_type.removesuffix("_output").removesuffix("_call").removesuffix("_preview")
    return word or item_type


class OutputMessage(Message):
    """AGENTSERVER's assistant message (content: output_text | refusal)."""

    type: str = "output_message"

    def _label(self) -> str:
        return self.role or "assistant"


class AzureToolCall(Item):
    """`<tool>_call`: the model asks a Foundry tool; arguments are a JSON string."""

    REQUIRED = ("id", "call_id", "arguments", "status")
    PAIR_FIELD = "call_id"
    call_id: str | None = None
    arguments: str | None = None
    name: str | None = None  # only openapi / azure_function / a2a calls have (and require) it

    def _label(self) -> str:
        return " ".join(part for part in (tool_word(self.type), self.name) if part)

    def _summary(self) -> str:
        return f"{self._label()} {compact_json_text(self.arguments or '')}".rstrip()


class AzureToolCallOutput(Item):
    """`<tool>_call_output`: the tool's answer, paired with its call by call_id."""

    REQUIRED = ("id", "call_id", "status")
    PAIR_FIELD = "call_id"
    PAIR_ROLE = "output"
    call_id: str | None = None
    output: ToolCallOutputContent | None = None
    name: str | None = None

    def _label(self) -> str:
        return " ".join(part for part in (tool_word(self.type), self.name) if part)

    def _summary(self) -> str:
        return answered(None, preview_value(self.output))


class NamedAzureToolCall(AzureToolCall):
    REQUIRED = ("id", "call_id", "name", "arguments", "status")


class NamedAzureToolCallOutput(AzureToolCallOutput):
    REQUIRED = ("id", "call_id", "name", "status")


class BingGroundingCall(AzureToolCall):
    type: str = "bing_grounding_call"


class BingGroundingCallOutput(AzureToolCallOutput):
    type: str = "bing_grounding_call_output"


class BingCustomSearchCall(AzureToolCall):
    type: str = "bing_custom_search_preview_call"


class BingCustomSearchCallOutput(AzureToolCallOutput):
    type: str = "bing_custom_search_preview_call_output"


class SharepointGroundingCall(AzureToolCall):
    type: str = "sharepoint_grounding_preview_call"


class SharepointGroundingCallOutput(AzureToolCallOutput):
    type: str = "sharepoint_grounding_preview_call_output"


class AzureAISearchCall(AzureToolCall):
    type: str = "azure_ai_search_call"


class AzureAISearchCallOutput(AzureToolCallOutput):
    type: str = "azure_ai_search_call_output"


class FabricDataAgentCall(AzureToolCall):
    type: str = "fabric_dataagent_preview_call"


class FabricDataAgentCallOutput(AzureToolCallOutput):
    type: str = "fabric_dataagent_preview_call_output"


class BrowserAutomationCall(AzureToolCall):
    type: str = "browser_automation_preview_call"


class BrowserAutomationCallOutput(AzureToolCallOutput):
    type: str = "browser_automation_preview_call_output"


class OpenApiCall(NamedAzureToolCall):
    type: str = "openapi_call"


class OpenApiCallOutput(NamedAzureToolCallOutput):
    type: str = "openapi_call_output"


class AzureFunctionCall(NamedAzureToolCall):
    type: str = "azure_function_call"


class AzureFunctionCallOutput(NamedAzureToolCallOutput):
    type: str = "azure_function_call_output"


class A2ACall(NamedAzureToolCall):
    type: str = "a2a_preview_call"


class A2ACallOutput(NamedAzureToolCallOutput):
    type: str = "a2a_preview_call_output"


# ---------------------------------------------------------------------------------------------
# memory, workflow, structured output, consent, references
# ---------------------------------------------------------------------------------------------


class MemoryItem(Loose):
    kind: str | None = None
    memory_id: str | None = None
    updated_at: int | None = None
    scope: str | None = None
    content: Any = None


class MemorySearchResult(Loose):
    memory_item: MemoryItem | None = None


class MemorySearchCall(Item):
    """`memory_search_call`, also spelled `memory_search_preview_call` (FOUNDRY-V1)."""

    REQUIRED = ("id", "status")
    type: str = "memory_search_call"
    results: list[MemorySearchResult] | None = None

    def _label(self) -> str:
        return "memory_search"

    def _summary(self) -> str:
        if self.results is None:
            return labelled("memory search", self.status)
        count = len(self.results)
        return f"memory search → {count} {'memory' if count == 1 else 'memories'}"


class WorkflowAction(Item):
    """A CSDL workflow step (`workflow_action`), nested under `parent_action_id`."""

    REQUIRED = ("id", "kind", "action_id", "status")
    type: str = "workflow_action"
    kind: str | None = None
    action_id: str | None = None
    parent_action_id: str | None = None
    previous_action_id: str | None = None

    def _label(self) -> str:
        return "workflow"

    def _summary(self) -> str:
        status = f" [{self.status}]" if self.status else ""
        return f"workflow {self.kind or '?'} {self.action_id or ''}".rstrip() + status


class WorkflowPreviewAction(WorkflowAction):
    # FOUNDRY-V1's older schema does not list `id`.
    REQUIRED = ("kind", "action_id", "status")
    type: str = "workflow_preview_action"


class StructuredOutputs(Item):
    REQUIRED = ("id", "output")
    type: str = "structured_outputs"
    output: Any = None

    def _label(self) -> str:
        return "structured_output"

    def _summary(self) -> str:
        return f"structured output {preview_value(self.output)}".rstrip()


class OAuthConsentRequest(Item):
    REQUIRED = ("id", "consent_link", "server_label")
    type: str = "oauth_consent_request"
    consent_link: str | None = None
    server_label: str | None = None

    def _label(self) -> str:
        return "oauth"

    def _summary(self) -> str:
        # No key emoji as the reference suggests: wide glyphs break column alignment.
        return labelled(f"consent needed for {self.server_label or '?'}", self.consent_link)


class ItemReference(Item):
    REQUIRED = ("id",)
    type: str = "item_reference"

    def _label(self) -> str:
        return "reference"

    def _summary(self) -> str:
        return f"→ item {self.id or '?'}"


class MemoryCommandItem(GenericItem):
    """`memory_command_preview_call(_output)`: named by NET-EXT, fields unknown.

    Kept generic (extra fields, raw preview, call_id guessed pairing), but with a readable label.
    """

    def _label(self) -> str:
        return "memory_command"

    def _summary(self) -> str:
        body = {key: value for key, value in self.raw.items() if key not in ("type", "id", "status")}
        mark = f"{OUTPUT_MARK} " if self.type.endswith("_output") else ""
        return f"{mark}memory_command {one_line(preview_value(body), 250)}"
