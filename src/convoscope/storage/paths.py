"""Where convoscope keeps its files (the platform's conventions, overridable for tests)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "convoscope"
CONFIG_FILE_NAME = "config.toml"
HISTORY_FILE_NAME = "history.json"


def data_dir() -> Path:
    """History and other data. `CONVOSCOPE_DATA_DIR` overrides the platform location."""
    override = os.environ.get("CONVOSCOPE_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def config_dir() -> Path:
    """The config file and themes. `CONVOSCOPE_CONFIG_DIR` overrides the platform location."""
    override = os.environ.get("CONVOSCOPE_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def config_path() -> Path:
    return config_dir() / CONFIG_FILE_NAME


def themes_dir() -> Path:
    return config_dir() / "themes"


def history_path() -> Path:
    return data_dir() / HISTORY_FILE_NAME
