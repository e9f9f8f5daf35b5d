"""The one error of the storage layer that every command catches (kept apart: importing it costs
nothing, so `convoscope --version` does not load the config machinery)."""


class SetupError(Exception):
    """Something in the user's setup to fix. `str()` is one human line and never holds a key."""
