"""Images drawn as images: in the detail pane and the reading view, never as base64.

The demo serves realistic pictures (a 1024×1024 generated logo, 1280×800 screenshots); every one
of them must reach the screen as half-block cells of many colours, read back with `read_screen`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re

from PIL import Image
from rich.console import Console

from convoscope.api.models import parse_item
from convoscope.demo import pictures
from convoscope.demo.bundled import load_bundled
from convoscope.render.images import ImagePicture, ImageSource, image_sources, renderer_name
from convoscope.tui.app import ConvoscopeApp
from convoscope.tui.images import choose_renderer
from convoscope.tui.widgets.detail_pane import DetailPane
from tests.conftest import demo_stats, make_client
from tests.screen import read_screen
from tests.test_reading import BASE64_RUN, cursor_rows, enter_reading
from tests.tui_helpers import (  # noqa: F401  (isolated_data_dir is an autouse fixture)
    SIZE,
    create_conversation,
    in_process_client,
    isolated_data_dir,
    message,
    notifications,
    open_conversation,
    reset_stats,
    wait_until,
)

HALF_BLOCK = "▀"
# Screenshots and input images come only when asked for, as on OpenAI.
IMAGE_INCLUDES = frozenset({"computer_call_output.output.image_url", "message.input_image.image_url",
                            "code_interpreter_call.outputs"})
DATA_URL = re.compile(r"data:image/(\w+);base64,([A-Za-z0-9+/=]+)")


def _pictured_items() -> dict[str, list[str]]:
    """Conversation id -> ids of the items that carry an inline image."""
    found: dict[str, list[str]] = {}
    for conversation_id, bundled in load_bundled().items():
        for raw in bundled.items.items:
            item = parse_item(raw)
            if any(source.data for source in image_sources(item)):
                found.setdefault(conversation_id, []).append(item.id)
    return found


PICTURED = _pictured_items()


def picture_rows(screen, x0: int = 0) -> list[int]:
    """Rows drawn as a picture: mostly half-blocks, in more than a few colours."""
    rows = []
    for y in range(screen.height):
        cells = screen.cells(y, x0)
        blocks = [cell for cell in cells if cell.char == HALF_BLOCK]
        if len(blocks) >= 8 and len({(c.fg, c.bg) for c in blocks}) >= 3:
            rows.append(y)
    return rows


# --- the demo's pictures ------------------------------------------------------------------------


def test_demo_pictures_are_realistic_and_deterministic():
    sizes: dict[str, list[tuple[int, int]]] = {}
    digests = []
    for bundled in load_bundled().values():
        for raw in bundled.items.items:
            payloads = [raw["result"]] if raw.get("type") == "image_generation_call" and raw.get("result") else []
            payloads += [m.group(2) for m in DATA_URL.finditer(str(raw))]
            for payload in payloads:
                data = base64.b64decode(payload)
                digests.append(hashlib.sha256(data).hexdigest())
                with Image.open(io.BytesIO(data)) as image:
                    sizes.setdefault(raw["type"], []).append(image.size)
    assert sizes["image_generation_call"] and all(w >= 1024 and h >= 1024 for w, h in sizes["image_generation_call"])
    assert sizes["computer_call_output"] and set(sizes["computer_call_output"]) == {(1280, 800)}
    # Read again from the package: the same bytes.
    pictures.stored_picture.cache_clear()
    again = []
    for bundled in load_bundled().values():
        items = pictures.with_realistic_pictures([dict(raw) for raw in bundled.items.items])
        for raw in items:
            payloads = [raw["result"]] if raw.get("type") == "image_generation_call" and raw.get("result") else []
            payloads += [m.group(2) for m in DATA_URL.finditer(str(raw))]
            again += [hashlib.sha256(base64.b64decode(p)).hexdigest() for p in payloads]
    assert again == digests


# --- rendering, without the app -------------------------------------------------------------------


def test_a_picture_fits_the_width_it_is_given_and_keeps_its_shape():
    logo = base64.b64encode(pictures.stored_picture("logo", 0)[0]).decode()
    console = Console(width=60, force_terminal=True, color_system="truecolor")
    lines = console.render_lines(ImagePicture(ImageSource("t/logo", "result", data=logo)), pad=False)
    caption, picture = lines[0], lines[1:]
    assert "1024×1024" in "".join(s.text for s in caption)
    widths = {sum(len(s.text) for s in line) for line in picture}
    assert widths == {60}
    assert len(picture) == 30  # square: 60 columns of 2 pixel rows each


def test_broken_huge_and_remote_images_say_so_in_one_line():
    console = Console(width=80, force_terminal=True, color_system="truecolor")

    def drawn(source: ImageSource) -> str:
        return "\n".join("".join(s.text for s in line) for line in console.render_lines(ImagePicture(source), pad=False))

    assert "not a format" in drawn(ImageSource("t/a", "x", data=base64.b64encode(b"not an image").decode()))
    huge = Image.new("L", (9000, 9000))
    buffer = io.BytesIO()
    huge.save(buffer, format="PNG")
    text = drawn(ImageSource("t/b", "x", data=base64.b64encode(buffer.getvalue()).decode()))
    assert "too large" in text and text.count("\n") == 0
    remote = drawn(ImageSource("t/c", "x", url="https://example.com/cat.png"))
    assert "not fetched" in remote and "example.com/cat.png" in remote
    assert "file-abc" in drawn(ImageSource("t/d", "x", file_id="file-abc"))


def test_the_renderer_is_chosen_per_terminal():
    from textual_image.renderable.halfcell import Image as Halfcell
    from textual_image.renderable.tgp import Image as Kitty

    assert choose_renderer({"TERM": "xterm-kitty"}, is_terminal=True) is Kitty
    assert choose_renderer({"TERM": "xterm-kitty", "TMUX": "/tmp/tmux"}, is_terminal=True) is Halfcell
    assert choose_renderer({"TERM": "xterm-kitty"}, is_terminal=False) is Halfcell
    assert choose_renderer({"TERM": "xterm-256color"}, is_terminal=True) is Halfcell
    assert choose_renderer({"CONVOSCOPE_IMAGES": "halfcell", "TERM": "xterm-kitty"}, is_terminal=True) is Halfcell


# --- in the app -------------------------------------------------------------------------------------


async def test_every_demo_image_is_drawn_in_the_detail_pane():
    assert sum(len(ids) for ids in PICTURED.values()) >= 10
    for conversation_id, item_ids in PICTURED.items():
        app = ConvoscopeApp(in_process_client(), conversation_id)
        async with app.run_test(size=SIZE) as pilot:
            screen, items, engine = await open_conversation(pilot)
            assert renderer_name() == "halfcell"
            screen._include_chosen(IMAGE_INCLUDES)  # what choosing them in the `i` menu does
            detail = screen.query_one(DetailPane)
            pane_x = detail.region.x
            for item_id in item_ids:
                assert items.go_to_item(item_id)
                await wait_until(
                    pilot,
                    lambda: screen.shown_item is not None and screen.shown_item.id == item_id and detail.settled,
                    timeout=20, what=f"{item_id} drawn",
                )
                # Scroll the pane until its picture is on screen.
                detail.focus()
                for _ in range(40):
                    await pilot.pause()
                    if picture_rows(read_screen(app), pane_x):
                        break
                    await pilot.press("pagedown")
                drawn = read_screen(app)
                assert picture_rows(drawn, pane_x), f"{item_id}: no picture in\n{drawn}"
                assert not BASE64_RUN.search("\n".join(drawn.texts())), item_id
                items.focus()


async def test_every_demo_image_is_drawn_in_the_reading_view():
    for conversation_id, item_ids in PICTURED.items():
        app = ConvoscopeApp(in_process_client(), conversation_id)
        async with app.run_test(size=SIZE) as pilot:
            screen, items, engine = await open_conversation(pilot)
            reading = await enter_reading(pilot)
            screen._include_chosen(IMAGE_INCLUDES)  # what choosing them in the `i` menu does
            for item_id in item_ids:
                line = reading.view.line_of(item_id)
                assert line is not None
                reading.move_cursor(line)
                row = reading.current_row
                if not reading.is_open(row):
                    await pilot.press("enter")
                await wait_until(pilot, lambda: not reading.busy,
                                 timeout=20, what="pictures built")
                for _ in range(10):
                    await pilot.pause()
                    drawn = read_screen(app)
                    bar = set(cursor_rows(app))
                    if bar & set(picture_rows(drawn)):
                        break
                    await pilot.press("ctrl+d")
                assert bar & set(picture_rows(drawn)), f"{item_id}: no picture in\n{drawn}"
                assert not BASE64_RUN.search("\n".join(drawn.texts())), item_id


async def test_a_remote_image_is_fetched_only_when_asked(fault_server):
    url = fault_server()
    picture_url = f"{url}/_demo/pictures/photo.jpg"
    conversation_id = create_conversation(url, [
        message("What is this light?"),
        {"type": "message", "role": "user", "content": [
            {"type": "input_image", "detail": "auto", "image_url": picture_url}]},
    ])
    reset_stats(url)
    app = ConvoscopeApp(make_client(url), conversation_id)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        screen._include_chosen(IMAGE_INCLUDES)  # what choosing them in the `i` menu does
        await pilot.press("j")
        detail = screen.query_one(DetailPane)
        await wait_until(pilot, lambda: screen.shown_item is not None and detail.settled, what="the item")
        await wait_until(pilot, lambda: bool(read_screen(app).find("press f to fetch")), what="the caption")
        assert not picture_rows(read_screen(app))
        assert demo_stats(url)["by_path"].get("/v1/_demo/pictures/photo.jpg", 0) == 0, "not fetched unasked"

        await pilot.press("f")
        await wait_until(pilot, lambda: bool(picture_rows(read_screen(app), detail.region.x)),
                         timeout=20, what="the fetched picture in the detail pane")
        assert "jpeg image" in "\n".join(read_screen(app).texts())

        # The reading view draws it too, from what was fetched.
        reading = await enter_reading(pilot)
        await wait_until(pilot, lambda: not reading.busy and bool(picture_rows(read_screen(app))),
                         timeout=20, what="the picture in the reading view")


async def test_a_failed_fetch_says_why(fault_server):
    url = fault_server()
    conversation_id = create_conversation(url, [
        {"type": "message", "role": "user", "content": [
            {"type": "input_image", "detail": "auto", "image_url": f"{url}/_demo/pictures/missing.png"}]},
    ])
    app = ConvoscopeApp(make_client(url), conversation_id)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        screen._include_chosen(IMAGE_INCLUDES)
        detail = screen.query_one(DetailPane)
        await wait_until(pilot, lambda: screen.shown_item is not None and detail.settled, what="the item")
        await pilot.press("f")
        await wait_until(pilot, lambda: any("404" in text for _, text in notifications(app)),
                         timeout=20, what="the failure notice")
        assert any(severity == "error" and "Could not fetch the image" in text for severity, text in notifications(app))


def test_kitty_graphics_draw_placeholder_cells_and_send_the_image_aside(monkeypatch):
    """In Kitty the picture's cells are placeholders; the pixels go to the terminal separately."""
    import sys

    from textual_image.renderable.halfcell import Image as Halfcell
    from textual_image.renderable.tgp import Image as Kitty

    from convoscope.render.images import use_renderer

    sent = io.StringIO()
    monkeypatch.setattr(sys, "__stdout__", sent)
    use_renderer(Kitty)
    try:
        logo = base64.b64encode(pictures.stored_picture("logo", 0)[0]).decode()
        console = Console(width=40, force_terminal=True, color_system="truecolor")
        lines = console.render_lines(ImagePicture(ImageSource("t/kitty", "result", data=logo)), pad=False)
    finally:
        use_renderer(Halfcell)
    cells = "".join(segment.text for line in lines[1:] for segment in line)
    assert "\U0010eeee" in cells and not BASE64_RUN.search(cells)
    assert sent.getvalue().startswith("\x1b_G")  # the image itself, as Kitty graphics commands


async def test_pictures_are_decoded_off_the_event_loop(monkeypatch):
    """Both views decode and scale in worker threads: a huge image cannot stall the keys."""
    import threading

    from convoscope.render import images

    threads: list[bool] = []
    original = images.decoded

    def recording(source, width, height):
        threads.append(threading.current_thread() is threading.main_thread())
        return original(source, width, height)

    monkeypatch.setattr(images, "decoded", recording)
    images._DECODED.clear()
    conversation_id = max(PICTURED, key=lambda c: len(PICTURED[c]))  # the most pictures
    app = ConvoscopeApp(in_process_client(), conversation_id)
    async with app.run_test(size=SIZE) as pilot:
        screen, items, engine = await open_conversation(pilot)
        screen._include_chosen(IMAGE_INCLUDES)
        detail = screen.query_one(DetailPane)
        for item_id in PICTURED[conversation_id]:
            assert items.go_to_item(item_id)
            await wait_until(pilot, lambda: screen.shown_item is not None and screen.shown_item.id == item_id
                             and detail.settled, timeout=20, what=f"{item_id} in the detail pane")
        reading = await enter_reading(pilot)
        for item_id in PICTURED[conversation_id]:
            reading.move_cursor(reading.view.line_of(item_id))
            if not reading.is_open(reading.current_row):
                await pilot.press("enter")
            await wait_until(pilot, lambda: not reading.busy, timeout=20, what="pictures built")
    assert threads and not any(threads), "every picture was decoded in a worker thread"
