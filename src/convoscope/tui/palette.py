"""The app's own colour variables, derived from any Textual theme so every one stays legible.

Lists draw item types, statuses, the cursor and two highlights (a call with its output, search
matches) in colours named by theme variables (`$item-tool-call`, `$cursor-background`, …). A
theme may set any of them; the rest are derived here from the theme's base colours, then checked
the way a user's terminal shows them, in truecolor and in 256 colours (tmux's default):

- every background (cursor focused and blurred, pair, match) differs from the list's background
  and from each other, in both colour systems;
- every text colour has a contrast of at least 4.5:1 with every background it is drawn on; a
  colour that falls short is moved towards the theme's foreground until it does not.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.terminal_theme import TerminalTheme
from textual.app import App
from textual.color import Color

TEXT_CONTRAST = 4.6  # WCAG asks 4.5; a little margin for rounding in terminals

# Text colours: variable -> the theme colour it starts from.
TEXT_VARIABLES: dict[str, str] = {
    "item-message": "foreground",
    "item-tool-call": "accent",
    "item-tool-output": "secondary",
    "item-reasoning": "muted",
    "item-shell": "success",
    "item-hosted": "primary",
    "item-mcp": "warning",
    "item-other": "muted",
    "list-muted": "muted",  # secondary text in list rows (dates, the gap line, unticked boxes)
    "status-failed": "error",
    "status-incomplete": "warning",
    "status-in-progress": "primary",
    "match-foreground": "warning",
    "text-muted": "muted",  # Textual's own, replaced: its default reads at about 3:1
}
# Drawn only on the screen's plain backgrounds, never on a list's highlighted rows.
PLAIN_ONLY = frozenset({"text-muted"})

# Backgrounds: variable -> (theme colour blended into the list background, how much).
BACKGROUND_VARIABLES: dict[str, tuple[str, float]] = {
    "cursor-background": ("primary", 0.5),
    "cursor-blurred-background": ("primary", 0.25),
    "pair-background": ("success", 0.15),
    "match-background": ("warning", 0.25),
}

# Textual's own cursor variables follow ours unless the theme sets them: its default text on its
# default cursor (white on #0178D4) reads at 3.8:1.
TEXTUAL_CURSOR = {
    "block-cursor-background": "cursor-background",
    "block-cursor-blurred-background": "cursor-blurred-background",
}

VARIABLES = (*BACKGROUND_VARIABLES, *TEXT_VARIABLES)


class ConvoscopeVariables(App):  # type: ignore[type-arg]
    """Base for any App that shows convoscope's widgets: their CSS names these variables
    ($item-tool-call, $cursor-background, …), which a plain App does not define."""

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        variables.update(derived_variables(variables, self.current_theme.variables))
        self.theme_variables = variables
        return variables


def derived_variables(system: Mapping[str, str], given: Mapping[str, str]) -> dict[str, str]:
    """Values for every variable in `VARIABLES` that `given` (the theme's own) does not set.

    `system` is the theme's generated colour system (`Theme.to_color_system().generate()`).
    Textual asks for the variables several times a start and on every theme change; the
    contrast search behind them is done once per theme.
    """
    return dict(_derived_variables(tuple(sorted(system.items())), tuple(sorted(given.items()))))


@functools.lru_cache(maxsize=64)
def _derived_variables(system_items: tuple[tuple[str, str], ...], given_items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    system, given = dict(system_items), dict(given_items)

    def base(name: str) -> Color:
        return Color.parse(system[name])

    surface = base("surface")
    foreground = base("foreground")
    backgrounds: dict[str, Color] = {}
    taken = [surface, base("background"), base("panel")]
    for name, (tint, amount) in BACKGROUND_VARIABLES.items():
        colour = (
            Color.parse(given[name])
            if name in given
            else distinct_background(surface, base(tint), amount, taken, readable=foreground)
        )
        backgrounds[name] = colour
        taken.append(colour)
    plain_backgrounds = [surface, base("background"), base("panel")]
    text_backgrounds = [*plain_backgrounds, *backgrounds.values()]
    muted = foreground.blend(surface, 0.4)
    result = {name: colour.hex for name, colour in backgrounds.items() if name not in given}
    for name, start in TEXT_VARIABLES.items():
        if name in given:
            continue
        colour = muted if start == "muted" else base(start)
        on = plain_backgrounds if name in PLAIN_ONLY else text_backgrounds
        result[name] = legible(colour, on, toward=foreground).hex
    for textual_name, ours in TEXTUAL_CURSOR.items():
        if textual_name not in given:
            result[textual_name] = backgrounds[ours].hex
            foreground_name = textual_name.replace("background", "foreground")
            result[foreground_name] = legible(foreground, [backgrounds[ours]], toward=foreground).hex
    return result


def in_256(colour: Color) -> Color:
    """The colour a 256-colour terminal shows for `colour`."""
    rich = RichColor.from_rgb(colour.r, colour.g, colour.b).downgrade(ColorSystem.EIGHT_BIT)
    triplet = rich.get_truecolor()
    return Color(triplet.red, triplet.green, triplet.blue)


def contrast(a: Color, b: Color) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    lighter, darker = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def reads_on(text: Color, background: Color) -> bool:
    """Whether `text` is legible on `background` in truecolor and in 256 colours."""
    return (
        contrast(text, background) >= TEXT_CONTRAST
        and contrast(in_256(text), in_256(background)) >= TEXT_CONTRAST
    )


def legible(colour: Color, backgrounds: Iterable[Color], *, toward: Color) -> Color:
    """`colour`, lightened (on dark themes; darkened on light ones) just enough to read on every
    background, keeping its hue; else blended towards `toward` (the theme's foreground)."""
    backgrounds = list(backgrounds)
    dark_theme = _luminance(toward) > sum(_luminance(b) for b in backgrounds) / len(backgrounds)
    for step in range(21):
        candidate = colour.lighten(step / 20) if dark_theme else colour.darken(step / 20)
        if all(reads_on(candidate, background) for background in backgrounds):
            return candidate
    for step in range(21):
        candidate = colour.blend(toward, step / 20)
        if all(reads_on(candidate, background) for background in backgrounds):
            return candidate
    return _best_of(toward, backgrounds)


def _best_of(toward: Color, backgrounds: list[Color]) -> Color:
    """The theme's foreground, or white or black when even that does not read everywhere."""
    candidates = [toward, Color(255, 255, 255), Color(0, 0, 0)]
    return max(candidates, key=lambda c: min(contrast(c, b) for b in backgrounds))


def distinct_background(
    base: Color, tint: Color, amount: float, taken: Iterable[Color], *, readable: Color
) -> Color:
    """`base` blended with `tint` by about `amount`: the nearest amount at which it differs from
    every colour `taken` and `readable` (the theme's text) still reads on it, in truecolor and in
    256 colours."""
    taken = list(taken)
    seen_256 = {in_256(c).rgb for c in taken}
    amounts = [amount + sign * step * 0.03 for step in range(30) for sign in (1, -1)]
    for tried in amounts:
        if not 0.06 <= tried <= 1.0:
            continue
        candidate = base.blend(tint, tried)
        if (
            all(_apart(candidate, c) for c in taken)
            and in_256(candidate).rgb not in seen_256
            and reads_on(readable, candidate)
        ):
            return candidate
    return base.blend(tint, amount)


def _apart(a: Color, b: Color) -> bool:
    """Whether two backgrounds are far enough apart for an eye to tell them apart at once."""
    return max(abs(x - y) for x, y in zip(a.rgb, b.rgb)) >= 20


def _luminance(colour: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def legible_ansi_theme(base: TerminalTheme, system: Mapping[str, str], variables: Mapping[str, str]) -> TerminalTheme:
    """`base` (how Textual maps ANSI colour names such as "red" to RGB), with every colour but
    black made to read on the backgrounds the detail pane draws text on.

    Rendered documents use ANSI names ("bold red" for a failure, "blue" for JSON keys); the
    default mapping puts red at 4:1 and blue lower on a dark surface. Worked out once per theme.
    """
    colours_used = tuple(system[name] for name in ("foreground", "surface", "background", "panel"))
    return _legible_ansi_theme(base, (*colours_used, variables["match-background"]))


@functools.lru_cache(maxsize=64)
def _legible_ansi_theme(base: TerminalTheme, colours_used: tuple[str, ...]) -> TerminalTheme:
    foreground, *backgrounds = (Color.parse(colour) for colour in colours_used)
    colours = [Color(t.red, t.green, t.blue) for t in base.ansi_colors]
    fixed = [colours[0]] + [legible(c, backgrounds, toward=foreground) for c in colours[1:]]
    triplets = [(c.r, c.g, c.b) for c in fixed]
    return TerminalTheme(
        tuple(base.background_color),
        tuple(base.foreground_color),
        triplets[:8],
        triplets[8:],
    )
