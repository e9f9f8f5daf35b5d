"""Read back what the app has drawn: every cell of the screen, with its character and colours.

A user judges the drawn screen, so tests should too. `read_screen(app)` asks Textual's compositor
for a full frame of the current screen (with the screens behind a modal, as the terminal shows
them) and turns it into a grid of `Cell`s: the character, the foreground and background as RGB
after `reverse` is applied, and the text attributes. Colours can be read as a truecolor terminal
shows them or as a 256-colour one (tmux's default) does.

    screen = read_screen(pilot.app)
    screen.text(3)                  # row 3 as text
    screen.background(3)            # the colour behind most of row 3
    screen.rows_standing_out()      # rows whose background differs from the rows around them
    screen.find("conv_")            # (x, y) of the first match
    screen.low_contrast_cells()     # every cell whose text is hard to read on its background

Nothing here touches widget attributes: a cursor that `read_screen` cannot see is not drawn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.color import Color, ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.app import App

RGB = tuple[int, int, int]
Palette = Literal["truecolor", "256"]

# What a terminal shows for "default" colours; Textual sets explicit colours almost everywhere.
DEFAULT_FOREGROUND: RGB = (224, 224, 224)
DEFAULT_BACKGROUND: RGB = (0, 0, 0)

# WCAG 2 contrast minimums: normal text, and text that is deliberately dimmed (secondary).
TEXT_CONTRAST = 4.5
DIM_TEXT_CONTRAST = 3.0


@dataclass(frozen=True, slots=True)
class Cell:
    """One drawn cell. `fg` and `bg` are what the eye sees: `reverse` is already applied."""

    char: str
    fg: RGB
    bg: RGB
    bold: bool = False
    dim: bool = False
    italic: bool = False
    underline: bool = False
    reverse: bool = False

    @property
    def blank(self) -> bool:
        return not self.char.strip()


def read_screen(app: App, palette: Palette = "truecolor") -> DrawnScreen:
    """The cells of the app's current screen, as a terminal with `palette` colours shows them."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    rows = [list(_cells(_segments(line), palette)) for line in update.strips]
    return DrawnScreen(rows)


def _segments(line: Iterable) -> Iterator[Segment]:
    for strip in line:
        yield from strip


def _cells(segments: Iterable[Segment], palette: Palette) -> Iterator[Cell]:
    for segment in segments:
        if segment.control:
            continue
        style = segment.style or Style()
        fg = _rgb(style.color, palette, DEFAULT_FOREGROUND)
        bg = _rgb(style.bgcolor, palette, DEFAULT_BACKGROUND)
        if style.reverse:
            fg, bg = bg, fg
        attributes = dict(
            bold=bool(style.bold),
            dim=bool(style.dim),
            italic=bool(style.italic),
            underline=bool(style.underline),
            reverse=bool(style.reverse),
        )
        for char in segment.text:
            width = cell_len(char)
            if width == 0:
                continue
            yield Cell(char, fg, bg, **attributes)
            for _ in range(width - 1):  # the right half of a wide character
                yield Cell("", fg, bg, **attributes)


def _rgb(color: Color | None, palette: Palette, default: RGB) -> RGB:
    if color is None or color.is_default:
        return default
    if palette == "256":
        color = color.downgrade(ColorSystem.EIGHT_BIT)
    triplet = color.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


class DrawnScreen:
    """A grid of drawn cells, `rows[y][x]`, with the queries tests need."""

    def __init__(self, rows: list[list[Cell]]) -> None:
        self.rows = rows

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def __str__(self) -> str:
        return "\n".join(self.text(y) for y in range(self.height))

    # --- text --------------------------------------------------------------------------------

    def text(self, y: int, x0: int = 0, x1: int | None = None) -> str:
        """Row `y` (or the columns `x0` to `x1` of it) as text, trailing spaces kept."""
        return "".join(cell.char for cell in self.rows[y][x0:x1])

    def texts(self) -> list[str]:
        return [self.text(y).rstrip() for y in range(self.height)]

    def find(self, needle: str, *, start_row: int = 0) -> tuple[int, int] | None:
        """(x, y) of the first occurrence of `needle` on one row, or None."""
        for y in range(start_row, self.height):
            x = self.text(y).find(needle)
            if x >= 0:
                return x, y
        return None

    def find_row(self, needle: str) -> int:
        """The first row holding `needle`; fails the test with the whole screen when none does."""
        found = self.find(needle)
        assert found is not None, f"{needle!r} is not on the screen:\n{self}"
        return found[1]

    def cells(self, y: int, x0: int = 0, x1: int | None = None) -> list[Cell]:
        return self.rows[y][x0:x1]

    # --- colours -----------------------------------------------------------------------------

    def background(self, y: int, x0: int = 0, x1: int | None = None) -> RGB:
        """The background behind most cells of row `y` (between `x0` and `x1`)."""
        counts = Counter(cell.bg for cell in self.rows[y][x0:x1])
        return counts.most_common(1)[0][0]

    def backgrounds(self, y: int, x0: int = 0, x1: int | None = None) -> set[RGB]:
        return {cell.bg for cell in self.rows[y][x0:x1]}

    def foregrounds(self, y: int, x0: int = 0, x1: int | None = None) -> set[RGB]:
        return {cell.fg for cell in self.rows[y][x0:x1] if not cell.blank}

    def rows_standing_out(self, rows: range | None = None, x0: int = 0, x1: int | None = None) -> list[int]:
        """Rows whose background (between x0 and x1) differs from the most common one of `rows`.

        In a list this is the cursor row and any highlighted rows: exactly what a user's eye
        picks out.
        """
        rows = rows if rows is not None else range(self.height)
        backgrounds = {y: self.background(y, x0, x1) for y in rows}
        usual = Counter(backgrounds.values()).most_common(1)[0][0]
        return [y for y, bg in backgrounds.items() if bg != usual]

    def low_contrast_cells(
        self,
        rows: range | None = None,
        x0: int = 0,
        x1: int | None = None,
        *,
        minimum: float = TEXT_CONTRAST,
        dim_minimum: float = DIM_TEXT_CONTRAST,
    ) -> list[tuple[int, int, Cell, float]]:
        """Every non-blank cell whose text contrast with its background is below the minimum.

        Dim text (the `dim` attribute, which a terminal draws at about half intensity) is held to
        `dim_minimum` and measured with its foreground blended halfway to the background.
        Box-drawing and block characters are decoration, not text, and are skipped.
        """
        found = []
        for y in rows if rows is not None else range(self.height):
            for x, cell in enumerate(self.rows[y][x0:x1], start=x0):
                if cell.blank or _is_decoration(cell.char):
                    continue
                fg = _blend(cell.fg, cell.bg, 0.5) if cell.dim else cell.fg
                ratio = contrast(fg, cell.bg)
                if ratio < (dim_minimum if cell.dim else minimum):
                    found.append((x, y, cell, round(ratio, 2)))
        return found


def _is_decoration(char: str) -> bool:
    return "\u2500" <= char <= "\u259f" or char in "▕▏▔▁"


def _blend(fg: RGB, bg: RGB, amount: float) -> RGB:
    return tuple(round(f + (b - f) * amount) for f, b in zip(fg, bg))  # type: ignore[return-value]


def _luminance(rgb: RGB) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """The WCAG 2 contrast ratio of two colours, 1 to 21."""
    lighter, darker = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
