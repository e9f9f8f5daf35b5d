"""The config file, profiles and the keyring, in process: messages point at lines, keys stay hidden."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from convoscope.api import Secret
from convoscope.storage import paths, secrets
from convoscope.storage.config import Config, ConfigError, load_config, parse_config
from convoscope.storage.profiles import (
    ProfileError,
    azure_endpoint_to_base_url,
    find_spec,
    profile_specs,
    resolve_profile,
)
from tests.conftest import FAKE_KEY
from tests.fake_keyring import BrokenKeyring, MemoryKeyring

OTHER_KEY = "sk-other-0a1b2c3d4e5f60718293a4b5"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CONVOSCOPE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CONVOSCOPE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def use_backend():
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "config.toml")
    return caught.value.problems


# --- validation messages ---------------------------------------------------------------------------


def test_a_bad_kind_names_file_line_key_choices_and_value():
    text = 'default_profile = "work"\n\n# mine\n[profiles.work]\nkind = "azur"\n'
    [problem] = problems_of(text)
    assert problem.startswith(
        'config.toml:5: profiles.work.kind: expected one of openai, azure-openai, foundry, '
        'compatible, got "azur"'
    )
    assert 'did you mean "azure-openai"' in problem


def test_an_unknown_key_suggests_the_right_one():
    [problem] = problems_of('[profiles.work]\nkind = "openai"\nbas_url = "https://x/v1"\n')
    assert problem.startswith('config.toml:3: profiles.work.bas_url: unknown key (did you mean "base_url"?)')
    assert "kind, base_url, auth" in problem


def test_wrong_types_say_what_was_expected():
    text = (
        "[profiles.work]\n"
        'kind = "openai"\n'
        "include = \"reasoning.encrypted_content\"\n"
        "auth = 3\n"
        "[profiles.work.headers]\n"
        '"x-ms-user-isolation-key" = 5\n'
    )
    assert problems_of(text) == [
        'config.toml:3: profiles.work.include: expected a list, got "reasoning.encrypted_content"',
        "config.toml:4: profiles.work.auth: expected one of bearer, api-key, none, got 3",
        "config.toml:6: profiles.work.headers.x-ms-user-isolation-key: expected a string, got 5",
    ]


def test_an_unknown_include_value_points_at_its_key():
    text = '[profiles.w]\nkind = "openai"\ninclude = [\n  "reasoning.encrypted_contnt",\n]\n'
    [problem] = problems_of(text)
    assert problem.startswith("config.toml:3: profiles.w.include[0]: expected one of ")
    assert 'did you mean "reasoning.encrypted_content"' in problem


@pytest.mark.parametrize(
    ("text", "line", "where"),
    [
        (f'[profiles.work]\nkind = "openai"\napi_key = "{FAKE_KEY}"\n', 3, "profiles.work.api_key"),
        (f'[profiles.work]\nkind = "openai"\ntoken = "{FAKE_KEY}"\n', 3, "profiles.work.token"),
        (f'key = "{FAKE_KEY}"\n', 1, "key"),
        (
            f'[profiles.work]\nkind = "openai"\n[profiles.work.headers]\nAuthorization = "Bearer {FAKE_KEY}"\n',
            4,
            "profiles.work.headers.Authorization",
        ),
    ],
)
def test_key_like_fields_are_refused_and_point_to_keyring_or_environment(text, line, where):
    [problem] = problems_of(text)
    assert problem.startswith(f"config.toml:{line}: {where}: ")
    assert "keyring" in problem and "environment" in problem
    assert FAKE_KEY not in problem


def test_a_key_put_in_the_wrong_field_is_not_echoed():
    [problem] = problems_of(f'[profiles.work]\nkind = "compatible"\nbase_url = "{FAKE_KEY}"\n')
    assert problem.startswith("config.toml:3: profiles.work.base_url: expected an http:// or https:// URL")
    assert FAKE_KEY not in problem


def test_a_missing_field_points_at_its_table():
    [problem] = problems_of('\n[profiles.local]\nbase_url = "http://localhost:8321/v1"\n')
    assert problem.startswith("config.toml:2: profiles.local.kind: required: one of openai, ")


def test_a_compatible_profile_needs_a_base_url_and_the_default_must_exist():
    assert problems_of('default_profile = "wrk"\n[profiles.work]\nkind = "compatible"\n') == [
        'config.toml:1: default_profile: no profile named "wrk" (did you mean "work"?); '
        "known: openai, azure, work",
        "config.toml:2: profiles.work.base_url: required for kind compatible",
    ]


def test_dotted_and_inline_keys_are_found_too():
    [problem] = problems_of('profiles.w.kind = "x"\n')
    assert problem.startswith("config.toml:1: profiles.w.kind: expected one of")
    [problem] = problems_of('\nprofiles = { w = { kind = "openai", auth = "basic" } }\n')
    assert problem.startswith("config.toml:2: profiles.w.auth: expected one of bearer")


def test_a_syntax_error_keeps_tomllibs_position_behind_the_path(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('default_profile = "work"\n[profiles.work]\nkind = = "openai"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}:3: Invalid value (column 8)"


def test_a_missing_file_is_an_empty_config(tmp_path):
    assert load_config(tmp_path / "nowhere.toml") == Config()
    assert load_config() == Config()  # CONVOSCOPE_CONFIG_DIR points at an empty tmp dir


def test_a_valid_config_reads_as_typed_fields():
    config = parse_config(
        'default_profile = "work"\n'
        "[profiles.work]\n"
        'kind = "azure-openai"\n'
        'base_url = "https://my-resource.openai.azure.com/openai/v1/"\n'
        'auth = "api-key"\n'
        'include = ["reasoning.encrypted_content"]\n'
        "[profiles.work.headers]\n"
        '"x-ms-user-isolation-key" = "user-7"\n'
    )
    work = config.profiles["work"]
    assert config.default_profile == "work"
    assert work.base_url == "https://my-resource.openai.azure.com/openai/v1"
    assert work.include == ("reasoning.encrypted_content",)
    assert work.headers == {"x-ms-user-isolation-key": "user-7"}


# --- paths -----------------------------------------------------------------------------------------


def test_paths_follow_the_overrides(isolated_dirs):
    assert paths.config_path() == isolated_dirs / "config" / "config.toml"
    assert paths.themes_dir() == isolated_dirs / "config" / "themes"
    assert paths.history_path() == isolated_dirs / "data" / "history.json"


# --- built-in profiles -----------------------------------------------------------------------------


def test_openai_builtin_follows_the_sdk_variables(memory_keyring):
    env = {
        "OPENAI_API_KEY": FAKE_KEY,
        "OPENAI_BASE_URL": "https://proxy.example/v1/",
        "OPENAI_ORG_ID": "org-1",
        "OPENAI_PROJECT_ID": "proj-1",
    }
    resolved = resolve_profile(None, environ=env, config=Config())
    profile = resolved.profile
    assert (profile.name, profile.kind, profile.base_url) == ("openai", "openai", "https://proxy.example/v1")
    assert resolved.key_source == "env:OPENAI_API_KEY"
    assert profile.headers() == {
        "Authorization": f"Bearer {FAKE_KEY}",
        "OpenAI-Organization": "org-1",
        "OpenAI-Project": "proj-1",
    }
    assert resolve_profile(None, environ={}, config=Config()).profile.base_url == "https://api.openai.com/v1"


@pytest.mark.parametrize(
    "endpoint",
    ["https://my-res.openai.azure.com", "https://my-res.openai.azure.com/", "https://my-res.openai.azure.com/openai/v1/"],
)
def test_azure_builtin_from_a_resource_endpoint(endpoint, memory_keyring):
    env = {"AZURE_OPENAI_ENDPOINT": endpoint, "AZURE_OPENAI_API_KEY": FAKE_KEY}
    resolved = resolve_profile("azure", environ=env, config=Config())
    assert resolved.profile.kind == "azure-openai"
    assert resolved.profile.base_url == "https://my-res.openai.azure.com/openai/v1"
    assert resolved.profile.headers() == {"api-key": FAKE_KEY}
    assert resolved.key_source == "env:AZURE_OPENAI_API_KEY"


def test_azure_builtin_from_a_foundry_project_endpoint(memory_keyring):
    endpoint = "https://acct.services.ai.azure.com/api/projects/proj"
    env = {"AZURE_OPENAI_ENDPOINT": endpoint, "AZURE_OPENAI_AD_TOKEN": "eyJ0eXAiOiJKV1Qi.token", "AZURE_OPENAI_API_KEY": "unused-key"}
    resolved = resolve_profile("azure", environ=env, config=Config())
    assert resolved.profile.kind == "foundry"
    assert resolved.profile.base_url == f"{endpoint}/openai/v1"
    assert resolved.profile.headers() == {"Authorization": "Bearer eyJ0eXAiOiJKV1Qi.token"}
    assert resolved.key_source == "env:AZURE_OPENAI_AD_TOKEN"
    assert azure_endpoint_to_base_url(f"{endpoint}/openai/v1") == ("foundry", f"{endpoint}/openai/v1")


def test_azure_without_an_endpoint_says_what_to_set(memory_keyring):
    with pytest.raises(ProfileError, match=r"no base URL: set \$AZURE_OPENAI_ENDPOINT"):
        resolve_profile("azure", environ={}, config=Config())
    assert resolve_profile("azure", base_url="https://r.openai.azure.com/openai/v1", environ={}, config=Config())


# --- config profiles -------------------------------------------------------------------------------

WORK_CONFIG = """
default_profile = "work"
[profiles.work]
kind = "azure-openai"
base_url = "https://my-resource.openai.azure.com/openai/v1"
include = ["reasoning.encrypted_content"]
[profiles.work.headers]
"x-ms-user-isolation-key" = "user-7"

[profiles.local]
kind = "compatible"
base_url = "http://127.0.0.1:8321/v1"

[profiles.openai]
organization = "org-from-config"
"""


def test_config_profiles_join_and_override_the_builtins(memory_keyring):
    config = parse_config(WORK_CONFIG)
    specs = profile_specs(config, environ={"OPENAI_ORG_ID": "org-from-env"})
    assert list(specs) == ["openai", "azure", "work", "local"]
    assert specs["openai"].organization == "org-from-config"
    assert specs["openai"].base_url == "https://api.openai.com/v1"  # the rest stays built-in
    assert specs["openai"].origin == "config"


def test_the_config_default_profile_resolves_with_its_headers_and_include(memory_keyring):
    resolved = resolve_profile(None, environ={"AZURE_OPENAI_API_KEY": FAKE_KEY}, config=parse_config(WORK_CONFIG))
    assert resolved.profile.name == "work"
    assert resolved.include == ("reasoning.encrypted_content",)
    assert resolved.profile.headers() == {"api-key": FAKE_KEY, "x-ms-user-isolation-key": "user-7"}


def test_a_compatible_server_never_gets_the_openai_key_by_default(memory_keyring):
    resolved = resolve_profile("local", environ={"OPENAI_API_KEY": FAKE_KEY}, config=parse_config(WORK_CONFIG))
    assert resolved.profile.api_key is None and resolved.key_source is None


def test_base_url_option_replaces_the_profiles(memory_keyring):
    resolved = resolve_profile("local", base_url="http://127.0.0.1:9/v1/", environ={}, config=parse_config(WORK_CONFIG))
    assert resolved.profile.base_url == "http://127.0.0.1:9/v1"


def test_an_unknown_profile_lists_the_known_ones():
    with pytest.raises(ProfileError) as caught:
        find_spec("wrok", parse_config(WORK_CONFIG), environ={})
    assert str(caught.value) == (
        "no profile named 'wrok' (did you mean 'work'?); known profiles: openai, azure, work, local"
    )


# --- keys: environment over keyring ----------------------------------------------------------------


def test_the_keyring_supplies_a_key_and_the_environment_overrides_it(memory_keyring):
    secrets.store_key("openai", f"  {OTHER_KEY}\n")
    from_keyring = resolve_profile("openai", environ={}, config=Config())
    assert from_keyring.key_source == "keyring"
    assert from_keyring.profile.api_key == Secret(OTHER_KEY)
    from_env = resolve_profile("openai", environ={"OPENAI_API_KEY": FAKE_KEY}, config=Config())
    assert from_env.key_source == "env:OPENAI_API_KEY"
    assert from_env.profile.api_key == Secret(FAKE_KEY)
    assert FAKE_KEY not in repr(from_env) and OTHER_KEY not in repr(from_keyring)


def test_store_get_delete_round_trip(memory_keyring):
    assert secrets.get_key("work") is None
    secrets.store_key("work", FAKE_KEY)
    assert memory_keyring.passwords == {("convoscope", "work"): FAKE_KEY}
    assert secrets.get_key("work") == FAKE_KEY
    assert secrets.delete_key("work") is True
    assert secrets.delete_key("work") is False
    with pytest.raises(ValueError, match="empty"):
        secrets.store_key("work", "  \n")


def test_no_backend_raises_with_the_fixes_and_resolving_still_works(use_backend):
    use_backend(fail.Keyring())
    with pytest.raises(secrets.KeyringUnavailable) as caught:
        secrets.store_key("openai", FAKE_KEY)
    message = str(caught.value)
    assert "set OPENAI_API_KEY (or the profile's env variable)" in message
    assert "pip install keyrings.alt" in message and "gnome-keyring" in message
    assert FAKE_KEY not in message
    resolved = resolve_profile("openai", environ={}, config=Config())
    assert resolved.profile.api_key is None
    assert "keyrings.alt" in (resolved.keyring_problem or "")


def test_a_failing_backend_never_leaks_the_key(use_backend):
    use_backend(BrokenKeyring())
    with pytest.raises(secrets.KeyringUnavailable) as caught:
        secrets.store_key("openai", FAKE_KEY)
    assert "collection is locked" in str(caught.value)
    assert FAKE_KEY not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    with pytest.raises(secrets.KeyringUnavailable, match="D-Bus connection refused"):
        secrets.get_key("openai")
