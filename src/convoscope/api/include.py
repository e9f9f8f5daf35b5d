"""The `include` values of the API (reference §4): fields the server leaves out unless asked."""

INCLUDE_VALUES: tuple[str, ...] = (
    "web_search_call.action.sources",
    "web_search_call.results",
    "code_interpreter_call.outputs",
    "computer_call_output.output.image_url",
    "file_search_call.results",
    "message.input_image.image_url",
    "message.output_text.logprobs",
    "reasoning.encrypted_content",
)
