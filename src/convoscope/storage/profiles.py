"""Named profiles: the built-ins, the config file's, and turning one into an api `Profile`.

Built-ins (a config profile of the same name overrides them field by field):

* `openai` (the default): https://api.openai.com/v1 or $OPENAI_BASE_URL, bearer $OPENAI_API_KEY,
  $OPENAI_ORG_ID / $OPENAI_PROJECT_ID as headers (what the official SDK reads).
* `azure`: $AZURE_OPENAI_ENDPOINT + /openai/v1 with `api-key: $AZURE_OPENAI_API_KEY`; when the
  endpoint is a Foundry project (`https://<account>.services.ai.azure.com/api/projects/<name>`),
  kind foundry with a bearer token from $AZURE_OPENAI_AD_TOKEN.

The key comes from the profile's environment variable, else from the keyring (the environment
wins, so a script can override a stored key without touching it).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlsplit

from convoscope.api.locators import base_url_problem, describe_base_url_problem
from convoscope.api.profile import DEFAULT_BASE_URL, AuthStyle, Profile, Secret
from convoscope.storage import secrets
from convoscope.storage.config import (
    Config,
    ConfigKind,
    ProfileConfig,
    SetupError,
    load_config,
)

DEFAULT_PROFILE = "openai"
AZURE_ENDPOINT_ENV = "AZURE_OPENAI_ENDPOINT"
KEY_ENV_BY_KIND: dict[str, str | None] = {
    "openai": "OPENAI_API_KEY",
    "azure-openai": "AZURE_OPENAI_API_KEY",
    "foundry": "AZURE_OPENAI_AD_TOKEN",
    # A compatible server is someone else's: never send it an OpenAI or Azure key by default.
    "compatible": None,
}
AUTH_BY_KIND: dict[str, AuthStyle] = {
    "openai": "bearer",
    "azure-openai": "api-key",
    "foundry": "bearer",
    "compatible": "bearer",
}


class ProfileError(SetupError):
    """An unknown profile name, or a profile that cannot be used as configured."""


@dataclass(frozen=True)
class ProfileSpec:
    """A profile before its key is looked up: everything `convoscope profiles` shows."""

    name: str
    kind: ConfigKind
    base_url: str | None  # None: not configured yet (see `base_url_hint`)
    auth: AuthStyle
    key_env: str | None
    origin: Literal["built-in", "config"]
    organization: str | None = None
    project: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    include: tuple[str, ...] = ()
    unpaged_limit: int = 10_000
    base_url_needs: str = "base_url in the config file"  # what would set a missing base URL


@dataclass(frozen=True)
class ResolvedProfile:
    """A profile ready to use, and where its key came from (never the key itself in a repr)."""

    profile: Profile
    key_source: str | None  # "env:OPENAI_API_KEY", "keyring", or None
    spec: ProfileSpec
    keyring_problem: str | None = None  # why the keyring could not be read, when it was tried

    @property
    def include(self) -> tuple[str, ...]:
        """The config's default `include` values for this profile."""
        return self.profile.default_include


# --- the known profiles ----------------------------------------------------------------------------


def profile_specs(
    config: Config | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, ProfileSpec]:
    """Every known profile by name: built-ins first, then the config's own, in file order."""
    config = load_config() if config is None else config
    env = os.environ if environ is None else environ
    specs = {
        "openai": _kind_defaults("openai", "openai", env, "built-in"),
        "azure": _azure_builtin(env),
    }
    for name, table in config.profiles.items():
        specs[name] = _from_config(name, table, specs.get(name), env)
    return specs


def default_profile_name(config: Config | None = None) -> str:
    config = load_config() if config is None else config
    return config.default_profile or DEFAULT_PROFILE


def find_spec(
    name: str | None, config: Config | None = None, environ: Mapping[str, str] | None = None
) -> ProfileSpec:
    """The profile called `name` (None: the default one); `ProfileError` names the known ones."""
    config = load_config() if config is None else config
    specs = profile_specs(config, environ)
    name = default_profile_name(config) if name is None else name
    if name not in specs:
        close = difflib.get_close_matches(name, list(specs), n=1, cutoff=0.7)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ProfileError(f"no profile named {name!r}{hint}; known profiles: {', '.join(specs)}")
    return specs[name]


def resolve_profile(
    name: str | None,
    *,
    base_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    config: Config | None = None,
) -> ResolvedProfile:
    """The api `Profile` for `name` (None: the default), with its key from env or keyring.

    `base_url` (the `--base-url` option) replaces the profile's. A keyring that cannot be read
    is not an error here: the profile simply has no key, and `keyring_problem` says why.
    """
    env = os.environ if environ is None else environ
    spec = find_spec(name, config, env)
    if base_url:
        spec = replace(spec, base_url=base_url.rstrip("/"))
    if spec.base_url is None:
        raise ProfileError(f"profile {spec.name!r} has no base URL: set {spec.base_url_needs}, or pass --base-url")
    if problem := base_url_problem(spec.base_url):
        where = "--base-url" if base_url else _base_url_origin(spec, env)
        raise ProfileError(f"{where}: {describe_base_url_problem(spec.base_url, problem)}")
    key, source, problem = find_key(spec, env)
    profile = Profile(
        name=spec.name,
        base_url=spec.base_url,
        api_key=key,
        auth_style=spec.auth,
        organization=spec.organization,
        project=spec.project,
        extra_headers=dict(spec.headers),
        kind=spec.kind,
        default_include=spec.include,
        unpaged_limit=spec.unpaged_limit,
    )
    return ResolvedProfile(profile=profile, key_source=source, spec=spec, keyring_problem=problem)


def _base_url_origin(spec: ProfileSpec, env: Mapping[str, str]) -> str:
    """Where a profile's base URL was set, for an error about it."""
    if spec.kind == "openai" and (env.get("OPENAI_BASE_URL") or "").rstrip("/") == spec.base_url:
        return "$OPENAI_BASE_URL"
    if spec.kind in ("azure-openai", "foundry") and env.get(AZURE_ENDPOINT_ENV):
        return f"${AZURE_ENDPOINT_ENV}"
    return f"profile {spec.name}'s base_url"


def find_key(
    spec: ProfileSpec, environ: Mapping[str, str] | None = None
) -> tuple[Secret | None, str | None, str | None]:
    """(key, source, keyring problem): the environment first, then the keyring."""
    env = os.environ if environ is None else environ
    if spec.auth == "none":
        return None, None, None
    if spec.key_env and env.get(spec.key_env, "").strip():
        return Secret(env[spec.key_env].strip()), f"env:{spec.key_env}", None
    try:
        stored = secrets.get_key(spec.name)
    except secrets.KeyringUnavailable as error:
        return None, None, str(error)
    return (Secret(stored), "keyring", None) if stored else (None, None, None)


def describe_key_source(source: str | None) -> str:
    """"env:OPENAI_API_KEY" → "$OPENAI_API_KEY"; "keyring" → "the keyring"; None → "none"."""
    if source is None:
        return "none"
    if source.startswith("env:"):
        return "$" + source.removeprefix("env:")
    return "the keyring"


def how_to_add_a_key(spec: ProfileSpec) -> str:
    login = f"run `convoscope auth login --profile {spec.name}`"
    return f"set ${spec.key_env} or {login}" if spec.key_env else login


# --- building specs --------------------------------------------------------------------------------


def azure_endpoint_to_base_url(endpoint: str) -> tuple[ConfigKind, str]:
    """The kind and v1 base URL for an Azure endpoint (an Azure OpenAI resource or Foundry project).

    Accepts the endpoint with or without its /openai/v1 suffix.
    """
    root = endpoint.strip().rstrip("/")
    for suffix in ("/openai/v1", "/openai"):
        if root.lower().endswith(suffix):
            root = root[: -len(suffix)]
            break
    path = urlsplit(root).path.rstrip("/").split("/")
    is_foundry_project = len(path) == 4 and path[1:3] == ["api", "projects"] and path[3]
    return ("foundry" if is_foundry_project else "azure-openai"), f"{root}/openai/v1"


def _azure_builtin(env: Mapping[str, str]) -> ProfileSpec:
    endpoint = env.get(AZURE_ENDPOINT_ENV, "").strip()
    kind: ConfigKind = azure_endpoint_to_base_url(endpoint)[0] if endpoint else "azure-openai"
    return _kind_defaults("azure", kind, env, "built-in")


def _kind_defaults(
    name: str, kind: ConfigKind, env: Mapping[str, str], origin: Literal["built-in", "config"]
) -> ProfileSpec:
    """What a profile of `kind` uses for everything the config does not say."""
    spec = ProfileSpec(
        name=name,
        kind=kind,
        base_url=None,
        auth=AUTH_BY_KIND[kind],
        key_env=KEY_ENV_BY_KIND[kind],
        origin=origin,
    )
    if kind == "openai":
        return replace(
            spec,
            base_url=(env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
            organization=env.get("OPENAI_ORG_ID") or None,
            project=env.get("OPENAI_PROJECT_ID") or None,
        )
    if kind in ("azure-openai", "foundry"):
        endpoint = env.get(AZURE_ENDPOINT_ENV, "").strip()
        example = (
            "https://<account>.services.ai.azure.com/api/projects/<project>"
            if kind == "foundry"
            else "https://<resource>.openai.azure.com"
        )
        return replace(
            spec,
            base_url=azure_endpoint_to_base_url(endpoint)[1] if endpoint else None,
            base_url_needs=f"${AZURE_ENDPOINT_ENV} (e.g. {example}) or base_url in the config file",
        )
    return spec


def _from_config(
    name: str, table: ProfileConfig, builtin: ProfileSpec | None, env: Mapping[str, str]
) -> ProfileSpec:
    """A config profile: its own fields over the built-in of the same name, or over kind defaults."""
    kind = table.kind or (builtin.kind if builtin else "openai")
    if builtin is not None and builtin.kind == kind:
        base = replace(builtin, origin="config")
    else:
        base = _kind_defaults(name, kind, env, "config")
    overrides = {
        field_name: getattr(table, field_name)
        for field_name in ("base_url", "key_env", "organization", "project", "include", "headers", "unpaged_limit")
        if field_name in table.model_fields_set
    }
    if "auth" in table.model_fields_set:
        overrides["auth"] = table.auth
    return replace(base, **overrides)
