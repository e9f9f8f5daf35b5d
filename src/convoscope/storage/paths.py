"""Where convoscope keeps its files (the platform's conventions, overridable for tests)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "convoscope"


def data_dir() -> Path:
    """History and other data. `CONVOSCOPE_DATA_DIR` overrides the platform location."""
    override = os.environ.get("CONVOSCOPE_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))
