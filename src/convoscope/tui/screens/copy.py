"""Copy the open conversation to another server or profile (the palette's "Copy … to …").

Type a profile name or a base URL and press enter: the screen reads the conversation and asks the
target which item types it accepts, then says what it would write. Nothing is written until the
user presses Copy (or "Copy, skipping refused" when the target refuses some types). Progress shows
while it writes; the end says whether the copy verified. The same journal as `convoscope copy`
means an interrupted copy continues from either.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, ProgressBar, Static

from convoscope.api import APIError, ConversationsClient
from convoscope.render.text import visible
from convoscope.storage.errors import SetupError
from convoscope.storage.profiles import resolve_profile
from convoscope.transfer.copier import CopyError, CopyPlan, describe_source, plan_copy, run_copy, verify_copy
from convoscope.transfer.journal import Journal


class CopyScreen(ModalScreen[str | None]):
    """Dismisses with the new conversation's id, or None.

    | Key | Action |
    | :- | :- |
    | `enter` | Check the target (in the box), or press the focused button. |
    | `escape` | Close (a copy under way stops; running it again continues it). |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="copy.close", tooltip="Close this dialog"),
    ]
    DEFAULT_CSS = """
    CopyScreen { align: center middle; }
    CopyScreen > Vertical {
        width: 90; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 1 2;
    }
    CopyScreen #copy-status { margin: 1 0; height: auto; }
    CopyScreen #copy-progress { display: none; }
    CopyScreen #copy-progress.running { display: block; }
    CopyScreen Horizontal { height: auto; }
    CopyScreen Button { margin-right: 2; }
    """

    def __init__(self, source: Any, conversation_id: str) -> None:
        super().__init__()
        self.source = source
        self.conversation_id = conversation_id
        self.target: ConversationsClient | None = None
        self.plan: CopyPlan | None = None
        self.copied_to: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Copy {visible(self.conversation_id)} to another server", style="bold"))
            yield Input(placeholder="a profile name, or a base URL · enter checks what the target accepts",
                        id="copy-target")
            yield Static("Nothing is written until you press Copy.", id="copy-status")
            yield ProgressBar(id="copy-progress", show_eta=False)
            with Horizontal():
                yield Button("Copy", id="copy-start", variant="primary", disabled=True)
                yield Button("Copy, skipping refused", id="copy-skip", disabled=True)
                yield Button("Close", id="copy-close")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    async def on_unmount(self) -> None:
        if self.target is not None:
            await self.target.aclose()

    def _status(self, text: str, style: str = "") -> None:
        # Line by line: `visible` shows a newline as a symbol, and ours are meant as line breaks.
        safe = "\n".join(visible(line) for line in text.split("\n"))
        self.query_one("#copy-status", Static).update(Text(safe, style=style))

    # --- planning --------------------------------------------------------------------------------

    @on(Input.Submitted, "#copy-target")
    def target_entered(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.check_target(event.value.strip())

    @work(group="copy", exclusive=True, name="copy-plan")
    async def check_target(self, target: str) -> None:
        self._set_buttons(copy=False, skip=False)
        try:
            client = self._target_client(target)
        except SetupError as error:
            self._status(str(error), "red")
            return
        if self.target is not None:
            await self.target.aclose()
        self.target = client
        self._status(f"Reading the conversation and asking {client.profile.base_url} which item types it accepts…")
        try:
            self.plan = await plan_copy(
                self.source, self.conversation_id, client, label=describe_source(self.source, self.conversation_id)
            )
        except (APIError, CopyError) as error:
            self._status(f"Cannot copy: {error}", "red")
            return
        self._describe_plan(self.plan)

    def _target_client(self, target: str) -> ConversationsClient:
        if target.startswith(("http://", "https://")):
            profile = resolve_profile(None, base_url=target).profile
        else:
            profile = resolve_profile(target).profile
        return ConversationsClient(profile)

    def _describe_plan(self, plan: CopyPlan) -> None:
        writable = len(plan.items) - sum(plan.refused.values())
        lines = [f"{len(plan.items):,} items to copy in {plan.requests():,} requests to "
                 f"{self.target.profile.base_url if self.target else ''}."]
        if plan.source_incomplete:
            self._status(f"Cannot copy: the source could not be read to its end ({plan.source_incomplete}).", "red")
            return
        if plan.refused:
            lines.append(plan.refusal_report().capitalize() + ":")
            lines += [f"  {count} {kind}" for kind, count in sorted(plan.refused.items())]
            lines.append(f"Skipping them copies the other {writable:,} items.")
        self._status("\n".join(lines), "yellow" if plan.refused else "")
        self._set_buttons(copy=not plan.refused, skip=bool(plan.refused) and writable > 0)
        # The choice is one enter away, and never made for the user.
        buttons = [b for b in self.query(Button) if not b.disabled and b.id != "copy-close"]
        if buttons:
            buttons[0].focus()

    def _set_buttons(self, *, copy: bool, skip: bool) -> None:
        self.query_one("#copy-start", Button).disabled = not copy
        self.query_one("#copy-skip", Button).disabled = not skip

    # --- copying ---------------------------------------------------------------------------------

    @on(Button.Pressed, "#copy-start")
    def copy_pressed(self) -> None:
        self.start_copy(skip_unsupported=False)

    @on(Button.Pressed, "#copy-skip")
    def skip_pressed(self) -> None:
        self.start_copy(skip_unsupported=True)

    @on(Button.Pressed, "#copy-close")
    def close_pressed(self) -> None:
        self.action_close()

    @work(group="copy", exclusive=True, name="copy-write")
    async def start_copy(self, *, skip_unsupported: bool) -> None:
        plan, target = self.plan, self.target
        if plan is None or target is None:
            return
        self._set_buttons(copy=False, skip=False)
        progress = self.query_one(ProgressBar)
        progress.add_class("running")
        journal = Journal.for_copy(
            self.source.profile.base_url, self.conversation_id, target.profile.name, target.profile.base_url, []
        )
        warnings: list[str] = [journal.problem] if journal.problem else []
        self._status("Copying…")
        try:
            result = await run_copy(
                plan, target, journal, skip_unsupported=skip_unsupported,
                on_progress=lambda done, total: progress.update(total=total, progress=done),
                on_warning=warnings.append,
            )
            self._status(f"Verifying {result.conversation_id}…")
            verification = await verify_copy(target, result.conversation_id, plan.to_write(skip_unsupported))
        except (APIError, CopyError) as error:
            self._status(f"The copy stopped: {error}. Copy again to continue it.", "red")
            self._set_buttons(copy=True, skip=False)
            return
        self.copied_to = result.conversation_id
        notes = "".join(f"\n{w}" for w in warnings)
        self._status(f"Copied to {result.conversation_id}.\n{verification.describe()}{notes}",
                     "green" if verification.ok else "red")
        self.notify(f"Copied to {visible(result.conversation_id)}: {visible(verification.describe())}",
                    severity="information" if verification.ok else "error", markup=False)

    def action_close(self) -> None:
        self.workers.cancel_group(self, "copy")
        self.dismiss(self.copied_to)
