"""Message content parts, output_text annotations and logprobs (reference §3)."""

from .base import Loose, Part, tolerant
from .text import one_line, plain_markdown, preview_value

# ---------------------------------------------------------------------------------------------
# output_text annotations
# ---------------------------------------------------------------------------------------------


class FileCitation(Part):
    type: str = "file_citation"
    file_id: str | None = None
    filename: str | None = None
    index: int | None = None


class UrlCitation(Part):
    type: str = "url_citation"
    url: str | None = None
    title: str | None = None
    start_index: int | None = None
    end_index: int | None = None


class ContainerFileCitation(Part):
    type: str = "container_file_citation"
    container_id: str | None = None
    file_id: str | None = None
    filename: str | None = None
    start_index: int | None = None
    end_index: int | None = None


class FilePath(Part):
    type: str = "file_path"
    file_id: str | None = None
    index: int | None = None


Annotation = tolerant(FileCitation, UrlCitation, ContainerFileCitation, FilePath)


class TopLogprob(Loose):
    token: str | None = None
    bytes: list[int] | None = None
    logprob: float | None = None


class Logprob(Loose):
    token: str | None = None
    bytes: list[int] | None = None
    logprob: float | None = None
    top_logprobs: list[TopLogprob] | None = None


class PromptCacheBreakpoint(Loose):
    mode: str | None = None
    ttl: str | None = None


# ---------------------------------------------------------------------------------------------
# Content parts
# ---------------------------------------------------------------------------------------------


class TextPart(Part):
    """Common shape of the parts that are just text."""

    TEXTUAL = True
    text: str | None = None

    def preview(self) -> str:
        return self.text or ""


class InputText(TextPart):
    type: str = "input_text"
    prompt_cache_breakpoint: PromptCacheBreakpoint | None = None


class OutputText(TextPart):
    type: str = "output_text"
    annotations: list[Annotation] | None = None
    logprobs: list[Logprob] | None = None


class PlainText(TextPart):
    type: str = "text"


class SummaryText(TextPart):
    type: str = "summary_text"


class ReasoningText(TextPart):
    type: str = "reasoning_text"


class Refusal(Part):
    TEXTUAL = True
    type: str = "refusal"
    refusal: str | None = None

    def preview(self) -> str:
        return f"[refusal] {self.refusal or ''}".rstrip()


class InputImage(Part):
    type: str = "input_image"
    detail: str | None = None
    image_url: str | None = None
    file_id: str | None = None
    prompt_cache_breakpoint: PromptCacheBreakpoint | None = None

    def preview(self) -> str:
        return "[image]"


class ComputerScreenshot(Part):
    type: str = "computer_screenshot"
    detail: str | None = None
    image_url: str | None = None
    file_id: str | None = None
    prompt_cache_breakpoint: PromptCacheBreakpoint | None = None

    def preview(self) -> str:
        return "[screenshot]"


class InputFile(Part):
    type: str = "input_file"
    file_id: str | None = None
    file_url: str | None = None
    file_data: str | None = None
    filename: str | None = None
    detail: str | None = None
    prompt_cache_breakpoint: PromptCacheBreakpoint | None = None

    def preview(self) -> str:
        name = self.filename or self.file_id or self.file_url
        return f"[file {name}]" if name else "[file]"


ContentPart = tolerant(
    InputText,
    OutputText,
    PlainText,
    SummaryText,
    ReasoningText,
    Refusal,
    InputImage,
    ComputerScreenshot,
    InputFile,
)
"""Any part of a message's `content` list."""

ToolOutputPart = tolerant(InputText, InputImage, InputFile)
"""A part of function_call_output / custom_tool_call_output `output` when it is a list."""

SummaryPart = tolerant(SummaryText)
ReasoningPart = tolerant(ReasoningText)


def parts_preview(parts: list[Part] | None) -> str:
    """All parts' previews joined: used for tool outputs given as content lists."""
    return " ".join(part.preview() for part in parts or ())


def headline(parts: list[Part] | None) -> str:
    """`<first text…> [+N parts]`: the first readable part (Markdown markers dropped: a
    summary is plain text), and how many others there are."""
    if not parts:
        return "(empty)"
    first = next((part for part in parts if part.TEXTUAL), parts[0])
    text = plain_markdown(first.preview()) if first.TEXTUAL else first.preview()
    others = len(parts) - 1
    if not others:
        return one_line(text)
    # Cut the text first so the count survives the summary's own truncation.
    return one_line(text, 240) + f" [+{others} part{'s' if others > 1 else ''}]"


def tool_output_preview(output: str | list[Part] | None) -> str:
    """A tool output that is either a string or a list of content parts."""
    if isinstance(output, list):
        return parts_preview(output)
    return preview_value(output)
