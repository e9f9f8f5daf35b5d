"""`convoscope profiles`: every known profile, where it points and where its key would come from.

Never the key itself: only its source ($VARIABLE, keyring, none).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from convoscope.cli.common import add_profile_option
from convoscope.storage.config import load_config
from convoscope.storage.paths import config_path
from convoscope.storage.profiles import (
    ProfileSpec,
    default_profile_name,
    describe_key_source,
    find_key,
    find_spec,
    profile_specs,
)

COLUMNS = ("NAME", "KIND", "BASE URL", "AUTH", "KEY FROM")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convoscope profiles",
        description="List the built-in profiles (openai, azure) and those in the config file "
        f"({config_path()}). `*` marks the default.",
    )
    add_profile_option(parser)
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    config = load_config()
    default = default_profile_name(config)
    if args.profile is not None:
        specs = [find_spec(args.profile, config)]
    else:
        specs = list(profile_specs(config).values())
    rows = [_row(spec, is_default=spec.name == default) for spec in specs]
    for line in _table([("", *COLUMNS), *rows]):
        print(line)
    return 0


def _row(spec: ProfileSpec, *, is_default: bool) -> tuple[str, ...]:
    base_url = spec.base_url or f"(not set: {spec.base_url_needs.split(' (')[0]})"
    return ("*" if is_default else "", spec.name, spec.kind, base_url, spec.auth, _key_from(spec))


def _key_from(spec: ProfileSpec) -> str:
    if spec.auth == "none":
        return "not needed"
    _, source, keyring_problem = find_key(spec)
    if source is None and keyring_problem:
        return "none (keyring unavailable)"
    return describe_key_source(source).removeprefix("the ")


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
