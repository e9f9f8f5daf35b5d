"""screenshots/make_screenshots.py: one command makes every picture the README shows, one per
bundled theme included, and the README's gallery says what each shows."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_script():
    spec = importlib.util.spec_from_file_location("make_screenshots", ROOT / "screenshots" / "make_screenshots.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_required_picture_is_in_the_script():
    script = load_script()
    names = {shot.filename for shot in script.SHOTS}
    assert {"picker.svg", "conversation.svg", "conversation-long.svg", "citations.svg", "function-call.svg",
            "reasoning.svg", "shell-failure.svg", "type-filter.svg", "search.svg", "help.svg"} <= names
    assert all(shot.caption.endswith(".") and len(shot.caption) > 20 for shot in script.SHOTS)


def test_one_picture_per_bundled_theme_whatever_themes_exist(tmp_path):
    script = load_script()
    (tmp_path / "paper.toml").write_text('name = "paper"\n[colors]\nprimary = "#000000"\n')
    (tmp_path / "dusk-256.toml").write_text('[theme]\nname = "dusk"\n')
    (tmp_path / "plain.toml").write_text("# no name: the file's stem\n")
    (tmp_path / "broken.toml").write_text("name = \n")
    (tmp_path / "notes.txt").write_text("not a theme")
    themes = script.bundled_themes(tmp_path)
    assert themes == ["broken", "dusk", "paper", "plain"]
    shots = script.theme_shots(themes)
    assert [s.filename for s in shots] == ["theme-broken.svg", "theme-dusk.svg", "theme-paper.svg", "theme-plain.svg"]
    assert all(s.theme and s.conversation_id for s in shots)
    assert script.bundled_themes(tmp_path / "missing") == []
    assert len(script.all_shots()) == len(script.SHOTS) + len(script.bundled_themes())


def test_the_readme_gallery_is_what_the_script_writes_and_every_picture_exists(tmp_path):
    script = load_script()
    readme = (ROOT / "README.md").read_text()
    block = readme.split(script.GALLERY_START, 1)[1].split(script.GALLERY_END, 1)[0]
    shown = re.findall(r"!\[([^\]]+)\]\(screenshots/([^)]+)\)", block)
    assert [name for _, name in shown] == [s.filename for s in script.all_shots() if (ROOT / "screenshots" / s.filename).exists()]
    for caption, name in shown:
        assert (ROOT / "screenshots" / name).exists()
        assert f"{caption}\n\n![{caption}](screenshots/{name})" in block
    for shot in script.SHOTS:
        assert (ROOT / "screenshots" / shot.filename).exists(), f"run screenshots/make_screenshots.py: {shot.filename}"
    copy = tmp_path / "README.md"
    copy.write_text(readme)
    assert script.update_readme([s for s in script.all_shots() if (ROOT / "screenshots" / s.filename).exists()], copy)
    assert copy.read_text() == readme  # regenerating changes nothing
