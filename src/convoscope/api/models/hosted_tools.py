"""Hosted tools that carry their results inline (file search, web search, image generation,
code interpreter) and computer use (reference §2.1).
"""

from typing import Any

from .base import Item, Loose, Part, tolerant
from .text import ARROW, OUTPUT_MARK, first_line, labelled, one_line, plural


# ---------------------------------------------------------------------------------------------
# file search, web search, image generation, code interpreter
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
