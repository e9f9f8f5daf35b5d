"""`convoscope locate`: where the config, the data (history) and the themes live."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from convoscope.storage.paths import config_path, data_dir, themes_dir


def build_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog="convoscope locate",
        description="Print where convoscope keeps its files, one labelled path per line. "
        "CONVOSCOPE_CONFIG_DIR and CONVOSCOPE_DATA_DIR override the platform locations.",
    )


def main(argv: Sequence[str]) -> int:
    build_parser().parse_args(argv)
    for label, path in (("config", config_path()), ("data", data_dir()), ("themes", themes_dir())):
        print(f"{label + ':':<8}{path}")
    return 0
