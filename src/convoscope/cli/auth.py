"""`convoscope auth login|status|logout`: the key of a profile in the system keyring.

`login` reads the key without echo on a terminal, or one line from stdin in a script
(`echo "$KEY" | convoscope auth login`). `status` says which key is in effect (masked) and checks
it with one cheap request. Nothing here ever prints the key.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from convoscope.api import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    BadResponseError,
    ConversationsClient,
    NotFoundError,
    PermissionDeniedError,
    Profile,
    RetryPolicy,
)
from convoscope.cli.common import add_base_url_option, add_profile_option, fail
from convoscope.storage import secrets
from convoscope.storage.profiles import (
    ProfileSpec,
    describe_key_source,
    find_spec,
    how_to_add_a_key,
    resolve_profile,
)

# A conversation that does not exist: a 404 proves the key was accepted, without reading anything.
PROBE_CONVERSATION_ID = "conv_convoscope_auth_check"
CHECK_TIMEOUT_S = 10.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convoscope auth",
        description="Manage the API key of a profile in the system keyring. A key in the "
        "profile's environment variable (e.g. OPENAI_API_KEY) takes precedence over the keyring.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    login = actions.add_parser(
        "login", help="store a key (prompted without echo, or one line from stdin)"
    )
    status = actions.add_parser(
        "status", help="show which key is in effect (masked) and check it with one request"
    )
    logout = actions.add_parser("logout", help="remove the stored key")
    for action in (login, status, logout):
        add_profile_option(action)
    add_base_url_option(status)
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    run = {"login": login, "status": status, "logout": logout}[args.action]
    return run(args)


# --- login -----------------------------------------------------------------------------------------


def login(args: argparse.Namespace) -> int:
    spec = find_spec(args.profile)
    if spec.auth == "none":
        return fail(f"profile {spec.name} sends no key (auth = \"none\"); nothing to store")
    keyring_name = secrets.backend_name()  # fails before the prompt when there is no keyring
    key = _read_key(spec.name)
    if not key:
        return fail("no key given")
    try:
        secrets.store_key(spec.name, key)
    except ValueError as error:
        return fail(f"not stored: {error}")
    print(f"Stored the key for profile {spec.name} in the system keyring ({keyring_name}).")
    _note_env_override(spec)
    return 0


def _read_key(profile_name: str) -> str:
    """Without echo on a terminal; one line from stdin otherwise (scripts, pipes)."""
    if sys.stdin is None:
        return ""
    if sys.stdin.isatty():
        try:
            return getpass.getpass(f"API key for profile {profile_name} (input hidden): ").strip()
        except EOFError:
            return ""
    return sys.stdin.readline().strip()


def _note_env_override(spec: ProfileSpec) -> None:
    if spec.key_env and os.environ.get(spec.key_env, "").strip():
        print(
            f"note: ${spec.key_env} is set and takes precedence over the keyring for profile {spec.name}",
            file=sys.stderr,
        )


# --- status ----------------------------------------------------------------------------------------


def status(args: argparse.Namespace) -> int:
    resolved = resolve_profile(args.profile, base_url=args.base_url)
    profile, spec = resolved.profile, resolved.spec
    print(f"profile: {profile.name} ({profile.kind})")
    print(f"server:  {profile.base_url}")
    print(f"auth:    {profile.auth_style}")
    if profile.auth_style != "none" and profile.api_key is None:
        print("key:     none")
        advice = resolved.keyring_problem or how_to_add_a_key(spec)
        return fail(f"no key for profile {profile.name}: {advice}")
    if profile.auth_style == "none":
        print('key:     none used (auth = "none")')
    elif profile.api_key is not None:
        print(f"key:     {profile.api_key.masked()} from {describe_key_source(resolved.key_source)}")
    check = asyncio.run(check_key(profile))
    if not check.ok:
        return fail(check.message)
    print(f"check:   {check.message}")
    return 0


@dataclass(frozen=True)
class KeyCheck:
    ok: bool
    message: str  # one line, never the key


async def check_key(profile: Profile) -> KeyCheck:
    """One GET for a conversation that does not exist: 404 means the key was accepted (or, with
    no key, that the server answered)."""
    sends_key = profile.auth_style != "none"
    client = ConversationsClient(
        profile, retry=RetryPolicy(max_attempts=1), timeout=CHECK_TIMEOUT_S
    )
    async with client:
        try:
            await client.retrieve_conversation(PROBE_CONVERSATION_ID)
        except NotFoundError:
            if not sends_key:
                return KeyCheck(True, "ok, the server answered (404 for a probe conversation) without a key")
            return KeyCheck(True, "ok, the server accepted the key (404 for a probe conversation)")
        except AuthenticationError as error:
            if not sends_key:
                return KeyCheck(False, f"the server asks for a key but profile {profile.name} has "
                                       f'auth = "none": set auth in the config ({error})')
            return KeyCheck(False, f"the server rejected the key: {error}")
        except PermissionDeniedError as error:
            who = "the key was accepted but lacks" if sends_key else "the server answered: no"
            return KeyCheck(False, f"{who} permission: {error}")
        except BadResponseError:
            return KeyCheck(True, "ok, the server answered")  # a 2xx, just not a conversation
        except APIConnectionError as error:
            return KeyCheck(False, f"the server did not answer: {error}")
        except APIError as error:
            if not sends_key:
                return KeyCheck(False, f"the server answered with an error: {error}")
            return KeyCheck(False, f"could not check the key: {error}")
    return KeyCheck(True, "ok, the server answered")


# --- logout ----------------------------------------------------------------------------------------


def logout(args: argparse.Namespace) -> int:
    spec = find_spec(args.profile)
    if secrets.delete_key(spec.name):
        print(f"Removed the key for profile {spec.name} from the system keyring.")
    else:
        print(f"No key for profile {spec.name} in the system keyring; nothing to remove.")
    _note_env_override(spec)
    return 0
