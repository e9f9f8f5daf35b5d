"""Shell commands and file patches: local_shell, shell and apply_patch calls with their outputs.

local_shell_call_output has no call_id: its own id is the call's call_id (reference §2.2).
"""

import shlex

from .base import Caller, Item, Loose, Part, tolerant
from .text import OUTPUT_MARK, answered, compact_json_text, one_line, without_terminal_sequences



class LocalShellAction(Loose):
    type: str | None = None
    command: list[str] | None = None
    env: dict[str, str] | None = None
    timeout_ms: int | None = None
    user: str | None = None
    working_directory: str | None = None


class LocalShellCall(Item):
    REQUIRED = ("id", "call_id", "status", "action")
    PAIR_FIELD = "call_id"
    type: str = "local_shell_call"
    call_id: str | None = None
    action: LocalShellAction | None = None

    def _label(self) -> str:
        return "local_shell"

    def _summary(self) -> str:
        command = self.action.command if self.action is not None else None
        return f"$ {shlex.join(command or ())}"


class LocalShellCallOutput(Item):
    REQUIRED = ("id", "output")
    # No call_id: the output's own id is the call_id of its local_shell_call (reference §2.2).
    PAIR_FIELD = "id"
    PAIR_ROLE = "output"
    type: str = "local_shell_call_output"
    output: str | None = None

    def _label(self) -> str:
        return "local_shell"

    def _summary(self) -> str:
        return answered(None, compact_json_text(self.output or ""))


class LocalEnvironment(Part):
    type: str = "local"

    def preview(self) -> str:
        return ""


class ContainerReference(Part):
    type: str = "container_reference"
    container_id: str | None = None

    def preview(self) -> str:
        return f"[{self.container_id}]" if self.container_id else "[container]"


class ShellAction(Loose):
    commands: list[str] | None = None
    timeout_ms: int | None = None
    max_output_length: int | None = None


class ShellCall(Item):
    REQUIRED = ("id", "call_id", "status", "action")
    PAIR_FIELD = "call_id"
    type: str = "shell_call"
    call_id: str | None = None
    action: ShellAction | None = None
    environment: tolerant(LocalEnvironment, ContainerReference) | None = None
    caller: Caller | None = None

    def _label(self) -> str:
        return "shell"

    def _summary(self) -> str:
        commands = self.action.commands if self.action is not None else None
        where = self.environment.preview() if self.environment is not None else ""
        return f"$ {' && '.join(commands or ())} {where}".rstrip()


class ExitOutcome(Part):
    type: str = "exit"
    exit_code: int | None = None

    def preview(self) -> str:
        return f"exit {self.exit_code}"


class TimeoutOutcome(Part):
    type: str = "timeout"

    def preview(self) -> str:
        return "timeout"


def last_line(text: str | None) -> str:
    # The tail of a command's output is usually the interesting part (result, error).
    lines = [line for line in without_terminal_sequences((text or "")[-2000:]).splitlines() if line.strip()]
    return lines[-1] if lines else ""


class ShellCommandOutput(Loose):
    stdout: str | None = None
    stderr: str | None = None
    outcome: tolerant(ExitOutcome, TimeoutOutcome) | None = None
    created_by: str | None = None

    def preview(self) -> str:
        outcome = self.outcome.preview() if self.outcome is not None else "?"
        tail = last_line(self.stdout) or last_line(self.stderr)
        return f"{outcome}: {one_line(tail, 120)}" if tail else outcome


class ShellCallOutput(Item):
    REQUIRED = ("id", "call_id", "status", "output")
    PAIR_FIELD = "call_id"
    PAIR_ROLE = "output"
    type: str = "shell_call_output"
    call_id: str | None = None
    output: list[ShellCommandOutput] | None = None
    max_output_length: int | None = None
    caller: Caller | None = None

    def _label(self) -> str:
        return "shell"

    def _summary(self) -> str:
        return answered(None, "; ".join(command.preview() for command in self.output or ()))


def diff_counts(diff: str | None) -> str:
    """`(+3 −1)` from a patch body; file headers (+++/---) are not changes.

    Counts with str.count instead of splitting lines: a 10 MB patch must not slow the list.
    """
    text = "\n" + (diff or "")
    added = text.count("\n+") - text.count("\n+++")
    removed = text.count("\n-") - text.count("\n---")
    return f"(+{added} −{removed})"


class CreateFileOperation(Part):
    type: str = "create_file"
    path: str | None = None
    diff: str | None = None

    def preview(self) -> str:
        return f"create {self.path} {diff_counts(self.diff)}"


class UpdateFileOperation(Part):
    type: str = "update_file"
    path: str | None = None
    diff: str | None = None

    def preview(self) -> str:
        return f"update {self.path} {diff_counts(self.diff)}"


class DeleteFileOperation(Part):
    type: str = "delete_file"
    path: str | None = None

    def preview(self) -> str:
        return f"delete {self.path}"


class ApplyPatchCall(Item):
    REQUIRED = ("id", "call_id", "status", "operation")
    PAIR_FIELD = "call_id"
    type: str = "apply_patch_call"
    call_id: str | None = None
    operation: tolerant(CreateFileOperation, UpdateFileOperation, DeleteFileOperation) | None = None
    caller: Caller | None = None

    def _label(self) -> str:
        return "apply_patch"

    def _summary(self) -> str:
        return f"patch {self.operation.preview()}" if self.operation is not None else "patch"


class ApplyPatchCallOutput(Item):
    REQUIRED = ("id", "call_id", "status")
    PAIR_FIELD = "call_id"
    PAIR_ROLE = "output"
    type: str = "apply_patch_call_output"
    call_id: str | None = None
    output: str | None = None
    caller: Caller | None = None

    def _label(self) -> str:
        return "apply_patch"

    def _summary(self) -> str:
        detail = f": {self.output}" if self.output else ""
        return f"{OUTPUT_MARK} patch {self.status or ''}{detail}"


# ---------------------------------------------------------------------------------------------
