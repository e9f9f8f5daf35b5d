"""`convoscope export` and the export pipeline (issue 10): lossless JSONL and JSON, safe and
complete Markdown and HTML transcripts of every demo conversation, and no half-written file ever.

Against the demo server on loopback (real processes for the command line, in-process for the
pipeline), never mocks of our own client.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from markdown_it import MarkdownIt

from convoscope.api import RetryPolicy
from convoscope.demo.bundled import load_bundled
from convoscope.render.export import ExportRequest, export_conversation
from convoscope.render.transcript.model import sniff_image
from tests.conftest import make_client

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted(load_bundled())


async def wait_until(predicate, *, timeout: float) -> None:
    """Poll a condition (files appearing) until it holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, f"timed out waiting for {predicate}"
        await asyncio.sleep(0.02)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "convoscope", *args], capture_output=True, text=False,
                          timeout=180, cwd=cwd)


def server_items(url: str, conversation_id: str) -> list[dict]:
    return [json.loads(line) for line in
            run_cli("items", conversation_id, "--base-url", url, "--jsonl").stdout.splitlines()]


HOSTILE_TEXT = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> <!-- c --> [bold]markup[/bold] "
    "\x1b[31mred\x1b[0m \x1b]0;title\x07 bidi \u202e gnp.exe \x9b C1 \x00 nul\n"
    "[click](javascript:alert(3)) <a href='javascript:alert(4)'>a</a> ![i](http://evil.example/x.png)\n"
    "[e](java&#115;cript:alert(7)) [r][ref] [s]( JaVaScript:alert(8))\n\n[ref]: javascript:alert(9)\n"
    "```\nunclosed fence <b>bold</b>\n"
)


@pytest.fixture
def hostile_conversation(fault_server) -> tuple[str, str]:
    """A conversation whose every text field holds markup, escapes and scripts."""
    url = fault_server()
    items = [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": HOSTILE_TEXT}]},
        {"type": "message", "role": "assistant", "content": [{
            "type": "output_text", "text": HOSTILE_TEXT + "``````` `` </code></pre><script>x</script>",
            "annotations": [{"type": "url_citation", "url": "javascript:alert(5)", "title": "<b>t</b>",
                             "start_index": 0, "end_index": 1},
                            {"type": "url_citation", "url": "https://ok.example/a?b=<c>", "title": "ok",
                             "start_index": 0, "end_index": 1}]}]},
        {"type": "function_call", "call_id": "c1", "name": "<script>", "arguments": HOSTILE_TEXT},
        {"type": "function_call_output", "call_id": "c1", "output": HOSTILE_TEXT},
        {"type": "message", "role": "user", "content": [
            {"type": "input_image", "detail": "auto", "image_url": "data:image/svg+xml;base64,PHN2Zz48c2NyaXB0Pg=="},
            {"type": "input_image", "detail": "auto", "image_url": "javascript:alert(6)"}]},
        {"type": "shell_call_output", "call_id": "c2", "output": [
            {"stdout": HOSTILE_TEXT, "stderr": "\x1b[1;31merror\x1b[0m", "outcome": {"type": "exit", "exit_code": 2}}]},
    ]
    body = json.dumps({"metadata": {"title": HOSTILE_TEXT[:60]}, "items": items})
    conversation = httpx.post(f"{url}/conversations", content=body,
                              headers={"content-type": "application/json"}).json()
    return url, conversation["id"]


# --- what a safe document is -----------------------------------------------------------------------

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section",
    "p", "strong", "em", "code", "pre", "ul", "ol", "li", "a", "img", "dl", "dt", "dd", "hr", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "br", "s", "del",
}
ALLOWED_ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "rel", "src",
                      "alt", "title", "start", "style"}


class HtmlCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.images = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            value = value or ""
            if name not in ALLOWED_ATTRIBUTES:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "style" and tag != "style":
                self.problems.append("inline style attribute")
            if name == "href" and not value.startswith(("https://", "http://", "mailto:", "#")):
                self.problems.append(f"href {value[:40]!r}")
            if name == "src":
                self.images += 1
                if not re.match(r"data:image/(png|jpeg|gif|webp);base64,", value):
                    self.problems.append(f"src {value[:40]!r}")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_safe_html(document: str) -> HtmlCheck:
    assert not CONTROL.search(document), CONTROL.search(document)
    assert 'http-equiv="Content-Security-Policy"' in document and "default-src 'none'" in document
    check = HtmlCheck()
    check.feed(document)
    assert check.problems == []
    assert document.count("<script") == 0 and "javascript:" not in document.replace("javascript:alert", "")
    return check


def assert_safe_markdown(document: str, folder: Path) -> list:
    assert not CONTROL.search(document), CONTROL.search(document)
    tokens = MarkdownIt("commonmark", {"html": True}).parse(document)
    inline = [child for token in tokens for child in (token.children or [])]
    assert not [t for t in [*tokens, *inline] if t.type in ("html_block", "html_inline")]
    for token in inline:
        if token.type == "link_open":
            assert token.attrs["href"].startswith(("https://", "http://", "mailto:")), token.attrs
        if token.type == "image":
            source = token.attrs["src"]
            assert not source.startswith(("http", "data:", "javascript:")), source
            assert sniff_image((folder / source).read_bytes())
    return tokens


async def export(url: str, conversation_id: str, fmt: str, path: Path, **options):
    async with make_client(url) as client:
        return await export_conversation(client, ExportRequest(conversation_id, fmt, path, **options))


# --- JSONL and JSON: lossless ----------------------------------------------------------------------


@pytest.mark.parametrize("conversation_id", [BUNDLED[0], "conv_synth_1200"])
def test_jsonl_export_is_byte_for_byte_what_items_jsonl_writes(demo_url, tmp_path, conversation_id):
    target = tmp_path / "out.jsonl"
    result = run_cli("export", conversation_id, "--base-url", demo_url, "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""  # no progress or chatter when stderr is not a terminal
    items = run_cli("items", conversation_id, "--base-url", demo_url, "--jsonl")
    assert target.read_bytes() == items.stdout
    assert len(items.stdout.splitlines()) == (1200 if conversation_id.startswith("conv_synth") else len(
        load_bundled()[conversation_id].items))


def test_jsonl_export_of_hostile_text_equals_items_jsonl(hostile_conversation, tmp_path):
    url, conversation_id = hostile_conversation
    target = tmp_path / "hostile.jsonl"
    assert run_cli("export", conversation_id, "--base-url", url, "-o", str(target)).returncode == 0
    assert target.read_bytes() == run_cli("items", conversation_id, "--base-url", url, "--jsonl").stdout


def test_json_export_parses_and_holds_the_conversation_and_every_item(demo_url, tmp_path):
    target = tmp_path / "all.json"
    result = run_cli("export", "conv_synth_450", "--base-url", demo_url, "--format", "json", "-o", str(target))
    assert result.returncode == 0, result.stderr
    document = json.loads(target.read_text())
    assert document["conversation"] == httpx.get(f"{demo_url}/conversations/conv_synth_450").json()
    assert document["items"] == server_items(demo_url, "conv_synth_450")
    assert len(document["items"]) == 450


async def test_json_export_of_nothing_is_still_json(demo_url, tmp_path):
    result = await export(demo_url, "conv_synth_30", "json", tmp_path / "none.json", types=frozenset({"compaction"}))
    assert result.items == 0
    assert json.loads((tmp_path / "none.json").read_text())["items"] == []


# --- Markdown and HTML: every demo conversation, safe and complete ---------------------------------


@pytest.mark.parametrize("conversation_id", BUNDLED)
async def test_markdown_export_of_every_demo_conversation_is_safe_and_complete(demo_url, tmp_path, conversation_id):
    target = tmp_path / "talk.md"
    result = await export(demo_url, conversation_id, "md", target)
    document = target.read_text()
    items = server_items(demo_url, conversation_id)
    assert result.items == len(items)
    assert_safe_markdown(document, tmp_path)
    headings = re.findall(r"^## (\d+)\. ", document, flags=re.M)
    assert headings == [str(n) for n in range(1, len(items) + 1)]
    for item in items:
        assert item["id"] in document
    images = sorted((tmp_path / "talk_files").glob("*")) if result.images else []
    assert len(images) == result.images
    assert all(f"](<talk_files/{image.name}>)" in document for image in images)


@pytest.mark.parametrize("conversation_id", BUNDLED)
async def test_html_export_of_every_demo_conversation_is_safe_and_complete(demo_url, tmp_path, conversation_id):
    target = tmp_path / "talk.html"
    result = await export(demo_url, conversation_id, "html", target)
    document = target.read_text()
    items = server_items(demo_url, conversation_id)
    assert result.items == len(items)
    check = assert_safe_html(document)
    assert document.count('<section class="item') == len(items)
    for item in items:
        assert f'id="item-{item["id"]}"' in document
    assert check.images == document.count("<img ")
    assert not (tmp_path / "talk_files").exists()  # HTML inlines its images


async def test_transcripts_show_calls_outputs_reasoning_shell_exit_codes_and_images(demo_url, tmp_path):
    coding = next(c for c in BUNDLED if any(i["type"] == "shell_call_output" for i in server_items(demo_url, c))
                  and any(i["type"] == "function_call" for i in server_items(demo_url, c)))
    await export(demo_url, coding, "md", tmp_path / "coding.md")
    markdown = (tmp_path / "coding.md").read_text()
    assert "*arguments:*\n\n```json\n{" in markdown  # a call's arguments, pretty, fenced
    assert "*output:*\n\n```" in markdown  # and its output
    assert re.search(r"- \*\*command \d:\*\* exit code 1", markdown)  # a failing shell run
    assert "\x1b" not in markdown and "␛[" not in markdown  # colour codes dropped from shell output
    reasoning = next(i for i in server_items(demo_url, coding) if i["type"] == "reasoning")
    first_summary_line = reasoning["summary"][0]["text"].splitlines()[0]
    assert first_summary_line in markdown

    images = next(c for c in BUNDLED if any(i["type"] == "image_generation_call" for i in server_items(demo_url, c)))
    result = await export(demo_url, images, "md", tmp_path / "images.md")
    assert result.images >= 1 and result.images_dir == tmp_path / "images_files"
    await export(demo_url, images, "html", tmp_path / "images.html")
    assert "data:image/png;base64," in (tmp_path / "images.html").read_text()


async def test_hostile_text_is_safe_in_markdown_and_html(hostile_conversation, tmp_path):
    url, conversation_id = hostile_conversation
    await export(url, conversation_id, "md", tmp_path / "h.md")
    markdown = (tmp_path / "h.md").read_text()
    tokens = assert_safe_markdown(markdown, tmp_path)
    # The unclosed fence in a message is closed before the next item: every item keeps its heading.
    assert [t.content for t in tokens if t.type == "inline" and re.match(r"\d+\. ", t.content)][-1].startswith("6. ")
    await export(url, conversation_id, "html", tmp_path / "h.html")
    page = (tmp_path / "h.html").read_text()
    check = assert_safe_html(page)
    shown = "".join(check.text)
    assert "<script>alert(1)</script>" in shown  # escaped: shown as text, never run
    assert "␛[31m" in shown or "red" in shown
    assert "<U+202E>" in shown  # the bidi override is a visible stand-in


ODD_ITEMS = [
    {"type": "totally_new_type", "id": "new_1", "payload": HOSTILE_TEXT, "output": {"deep": [HOSTILE_TEXT]}},
    {"type": "message", "id": "odd_1", "role": 5, "content": "a string, not parts"},
    {"type": "shell_call_output", "id": "odd_2", "output": [None, {"outcome": "weird"}]},
    {"type": "image_generation_call", "id": "odd_3", "result": "bm90IGFuIGltYWdl"},
    {"type": "reasoning", "id": "odd_4", "summary": None},
    {"id": "odd_5"},
    ["not", "an", "object"],
]


def test_unknown_types_and_odd_data_still_show_and_stay_safe(tmp_path):
    from convoscope.api.models import parse_item
    from convoscope.render.transcript import HtmlWriter, MarkdownWriter, transcript_entry

    entries = [transcript_entry(parse_item(raw), n) for n, raw in enumerate(ODD_ITEMS, 1)]
    markdown = MarkdownWriter(lambda image, entry: "never.png")
    md = markdown.begin("conv_x", None) + "".join(map(markdown.entry, entries)) + markdown.end(len(entries))
    assert_safe_markdown(md, tmp_path)
    assert "totally\\_new\\_type" in md and "new_1" in md and "a string, not parts" in md
    assert "not an image" in md  # base64 that is not an image is never written as one
    page = HtmlWriter()
    html = page.begin("conv_x", None) + "".join(map(page.entry, entries)) + page.end(len(entries))
    assert_safe_html(html)
    assert html.count('<section class="item') == len(ODD_ITEMS)


# --- type filters, formats, URLs -------------------------------------------------------------------


def test_type_include_and_url_work_as_for_items(demo_url, tmp_path):
    target = tmp_path / "calls.jsonl"
    url = f"{demo_url}/conversations/conv_synth_300"
    result = run_cli("export", url, "--base-url", demo_url, "-o", str(target),
                     "--type", "function_call,function_call_output")
    assert result.returncode == 0, result.stderr
    expected = run_cli("items", "conv_synth_300", "--base-url", demo_url, "--jsonl",
                       "--type", "function_call,function_call_output").stdout
    assert target.read_bytes() == expected and expected


def test_the_format_comes_from_the_extension_or_must_be_given(demo_url, tmp_path):
    result = run_cli("export", "conv_synth_5", "--base-url", demo_url, "-o", str(tmp_path / "out.txt"))
    assert result.returncode == 2 and b"--format" in result.stderr
    assert not (tmp_path / "out.txt").exists()
    result = run_cli("export", "conv_synth_5", "--base-url", demo_url, "-o", str(tmp_path / "out.txt"), "-f", "md")
    assert result.returncode == 0 and (tmp_path / "out.txt").read_text().startswith("# ")
    bad_type = run_cli("export", "conv_synth_5", "--demo", "-o", str(tmp_path / "x.md"), "--type", "mesage")
    assert bad_type.returncode == 2 and b"did you mean message?" in bad_type.stderr


# --- never a half-written file ---------------------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_a_server_error_midway_leaves_no_file_and_keeps_the_old_one(fault_server, tmp_path):
    url = fault_server()
    target = tmp_path / "talk.md"
    target.write_text("the previous export\n")

    def fail_from_now_on(items: int) -> None:
        httpx.post(f"{url}/_demo/faults", json={"error_rates": {"500": 1.0}})

    async with make_client(url, retry=RetryPolicy(max_attempts=1)) as client:
        request = ExportRequest("conv_synth_900", "md", target)
        with pytest.raises(Exception) as raised:
            await export_conversation(client, request, on_progress=fail_from_now_on)
    assert "500" in str(raised.value)
    assert target.read_text() == "the previous export\n"
    assert leftovers(tmp_path) == ["talk.md"]


async def test_a_cancelled_export_leaves_no_file(fault_server, tmp_path):
    url = fault_server(stall_every=3, stall_s=60)  # 1: the conversation, 2: a page, 3: stalls
    target = tmp_path / "talk.html"
    async with make_client(url) as client:
        task = asyncio.ensure_future(export_conversation(client, ExportRequest("conv_synth_900", "html", target)))
        await wait_until(lambda: any(p.name.endswith(".part") and p.stat().st_size > 0
                                     for p in tmp_path.iterdir()), timeout=60)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert leftovers(tmp_path) == []


def test_ctrl_c_leaves_no_file(fault_server, tmp_path):
    url = fault_server(stall_every=3, stall_s=60)
    target = tmp_path / "talk.md"
    process = subprocess.Popen([PYTHON, "-m", "convoscope", "export", "conv_synth_900", "--base-url", url,
                                "-o", str(target)], stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        asyncio.run(wait_until(lambda: any(p.name.endswith(".part") for p in tmp_path.iterdir()), timeout=60))
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert leftovers(tmp_path) == []


def test_progress_shows_on_a_terminal_only(demo_url, tmp_path):
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        result = subprocess.run([PYTHON, "-m", "convoscope", "export", "conv_synth_600", "--base-url", demo_url,
                                 "-o", str(tmp_path / "t.jsonl")], stderr=follower, stdout=subprocess.PIPE, timeout=180)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert result.returncode == 0
    assert b"exporting\xe2\x80\xa6 50 items" in shown
    assert b"Wrote 600 items as JSONL (lossless) to " in shown


def test_a_missing_conversation_or_folder_is_one_line_and_writes_nothing(demo_url, tmp_path):
    missing = run_cli("export", "conv_nope", "--base-url", demo_url, "-o", str(tmp_path / "x.md"))
    assert missing.returncode == 1
    assert missing.stderr.decode().startswith("convoscope: error: nothing written: 404")
    assert missing.stderr.count(b"\n") == 1
    no_folder = run_cli("export", "conv_synth_3", "--base-url", demo_url, "-o", str(tmp_path / "no" / "x.md"))
    assert no_folder.returncode == 2 and b"no folder" in no_folder.stderr
    assert leftovers(tmp_path) == []
