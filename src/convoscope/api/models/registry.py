"""The type → model registry and parse_item, the one entry point for raw item JSON."""

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import ValidationError

from . import azure_items as azure
from . import hosted_tools as hosted
from . import mcp_items as mcp
from . import openai_items as openai
from . import shell_items as shell
from .base import GenericItem, Item, describe_validation_error
from .text import short

ITEM_TYPES: Mapping[str, type[Item]] = MappingProxyType(
    {
        # OpenAI (SDK 3.54.0 ConversationItem union)
        "message": openai.Message,
        "function_call": openai.FunctionCall,
        "function_call_output": openai.FunctionCallOutput,
        "file_search_call": hosted.FileSearchCall,
        "web_search_call": hosted.WebSearchCall,
        "image_generation_call": hosted.ImageGenerationCall,
        "computer_call": hosted.ComputerCall,
        "computer_call_output": hosted.ComputerCallOutput,
        "tool_search_call": openai.ToolSearchCall,
        "tool_search_output": openai.ToolSearchOutput,
        "additional_tools": openai.AdditionalTools,
        "configuration_update": openai.ConfigurationUpdate,
        "reasoning": openai.Reasoning,
        "program": openai.Program,
        "program_output": openai.ProgramOutput,
        "compaction": openai.Compaction,
        "code_interpreter_call": hosted.CodeInterpreterCall,
        "local_shell_call": shell.LocalShellCall,
        "local_shell_call_output": shell.LocalShellCallOutput,
        "shell_call": shell.ShellCall,
        "shell_call_output": shell.ShellCallOutput,
        "apply_patch_call": shell.ApplyPatchCall,
        "apply_patch_call_output": shell.ApplyPatchCallOutput,
        "mcp_list_tools": mcp.McpListTools,
        "mcp_approval_request": mcp.McpApprovalRequest,
        "mcp_approval_response": mcp.McpApprovalResponse,
        "mcp_call": mcp.McpCall,
        "custom_tool_call": openai.CustomToolCall,
        "custom_tool_call_output": openai.CustomToolCallOutput,
        # Azure OpenAI / Foundry
        "output_message": azure.OutputMessage,
        "bing_grounding_call": azure.BingGroundingCall,
        "bing_grounding_call_output": azure.BingGroundingCallOutput,
        "bing_custom_search_preview_call": azure.BingCustomSearchCall,
        "bing_custom_search_preview_call_output": azure.BingCustomSearchCallOutput,
        "sharepoint_grounding_preview_call": azure.SharepointGroundingCall,
        "sharepoint_grounding_preview_call_output": azure.SharepointGroundingCallOutput,
        "azure_ai_search_call": azure.AzureAISearchCall,
        "azure_ai_search_call_output": azure.AzureAISearchCallOutput,
        "fabric_dataagent_preview_call": azure.FabricDataAgentCall,
        "fabric_dataagent_preview_call_output": azure.FabricDataAgentCallOutput,
        "browser_automation_preview_call": azure.BrowserAutomationCall,
        "browser_automation_preview_call_output": azure.BrowserAutomationCallOutput,
        "openapi_call": azure.OpenApiCall,
        "openapi_call_output": azure.OpenApiCallOutput,
        "azure_function_call": azure.AzureFunctionCall,
        "azure_function_call_output": azure.AzureFunctionCallOutput,
        "a2a_preview_call": azure.A2ACall,
        "a2a_preview_call_output": azure.A2ACallOutput,
        # Both spellings are in use (reference §6.3, "naming drift").
        "memory_search_call": azure.MemorySearchCall,
        "memory_search_preview_call": azure.MemorySearchCall,
        "workflow_action": azure.WorkflowAction,
        "workflow_preview_action": azure.WorkflowPreviewAction,
        "structured_outputs": azure.StructuredOutputs,
        "oauth_consent_request": azure.OAuthConsentRequest,
        "item_reference": azure.ItemReference,
        "memory_command_preview_call": azure.MemoryCommandItem,
        "memory_command_preview_call_output": azure.MemoryCommandItem,
    }
)


def parse_item(raw: object) -> Item:
    """The typed model for one item's JSON. Never raises.

    Unknown types, non-objects and items the typed model rejects come back as GenericItem
    (with validation_error set unless the type is merely unknown). `item.raw is raw`.
    """
    try:
        return _parse(raw)
    except Exception as error:  # a bug in a model must not break a whole page
        return _last_resort(raw, f"item: {type(error).__name__}: {error}")


def _parse(raw: object) -> Item:
    if not isinstance(raw, dict):
        return GenericItem.from_raw(raw, f"item: expected a JSON object, got {short(raw)}")
    item_type = raw.get("type")
    if not isinstance(item_type, str):
        if item_type is None:
            return GenericItem.from_raw(raw, "item: missing field 'type'")
        return GenericItem.from_raw(raw, f"item: field 'type': expected a string, got {short(item_type)}")
    model = ITEM_TYPES.get(item_type)
    if model is None:
        return GenericItem.from_raw(raw)
    if issubclass(model, GenericItem):  # types whose fields are unknown stay unvalidated
        return model.from_raw(raw)
    try:
        item = model.model_validate(raw)
    except ValidationError as error:
        return GenericItem.from_raw(raw, describe_validation_error(item_type, error))
    item._keep_source(raw)
    return item


def _last_resort(raw: object, reason: str) -> GenericItem:
    item = GenericItem.model_construct()
    item._keep_source(raw)
    object.__setattr__(item, "_validation_error", reason)
    return item
