"""`tpm serve` in a real headless Chromium (Debian's build, driven by Playwright): open
the page, move a card with `L`, see it in `tpm list` and in a second tab; a read-only
server changes nothing; beyond loopback nothing answers without the token; ctrl+c ends
every app process; the board's text, colours and symbols render in the page.

CI installs Chromium and Playwright (.ci/run): without them these tests fail, naming
what is missing, rather than skip."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, run_tpm

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
# Without these, Debian's Chromium tries its background connections (refused here).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOTS = os.environ.get("TPM_SCREENSHOTS")  # a folder that keeps the screenshots too

# textual.js keeps its xterm.js terminal in a closure. Its constructor assigns
# `this.websocket_url` first: a setter on Object.prototype catches that object.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "websocket_url", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "websocket_url", {value, writable: true, enumerable: true});
    window.__tpmTab = this;
  },
});
"""
SCREEN_TEXT = """() => {
  const term = window.__tpmTab && window.__tpmTab.terminal;
  if (!term) return "";
  const lines = [];
  for (let y = 0; y < term.rows; y++) {
    const line = term.buffer.active.getLine(y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
}"""
# Each cell's character and colours (RGB when Textual sent truecolor, else null).
SCREEN_CELLS = """() => {
  const term = window.__tpmTab.terminal;
  const box = term.element.querySelector(".xterm-screen").getBoundingClientRect();
  const cells = [];
  for (let y = 0; y < term.rows; y++) {
    const line = term.buffer.active.getLine(y);
    for (let x = 0; x < term.cols; x++) {
      const cell = line.getCell(x);
      if (!cell || cell.getWidth() === 0) continue;
      cells.push([x, y, cell.getChars(), cell.isFgRGB() ? cell.getFgColor() : null,
                  cell.isBgRGB() ? cell.getBgColor() : null, cell.isInverse()]);
    }
  }
  return {cols: term.cols, rows: term.rows, left: box.left, top: box.top,
          width: box.width, height: box.height, cells};
}"""
# Draw each character with the terminal's own font list, and compare with what the
# browser draws for a code point no font has (its "tofu" box): equal means missing.
MISSING_GLYPHS = """(chars) => {
  const term = window.__tpmTab.terminal;
  const canvas = document.createElement("canvas");
  canvas.width = 96; canvas.height = 96;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const draw = (ch) => {
    ctx.clearRect(0, 0, 96, 96);
    ctx.font = `${term.options.fontSize * 3}px ${term.options.fontFamily}`;
    ctx.fillStyle = "#000";
    ctx.fillText(ch, 8, 64);
    return ctx.getImageData(0, 0, 96, 96).data.join(",");
  };
  const tofu = draw("\\u{10FFFD}");
  const blank = draw(" ");
  return chars.filter((ch) => { const ink = draw(ch); return ink === tofu || ink === blank; });
}"""
# xterm.js draws box-drawing and block characters itself (customGlyphs), from no font:
# those are checked in the screenshot instead.
OWN_GLYPHS = range(0x2500, 0x25A0)


# ---------------------------------------------------------------- the pieces


def _need(condition: bool, what: str) -> None:
    if not condition:
        pytest.fail(f"{what} (.ci/run installs it)", pytrace=False)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module, on an empty profile; each test opens its own pages."""
    _need(Path(CHROMIUM).exists(), f"Debian's chromium is not installed ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is not installed (.ci/run installs it)")
    profile = Path(os.environ.get("TMPDIR", "/tmp")) / f"tpm-serve-profile-{os.getpid()}"
    shutil.rmtree(profile, ignore_errors=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport=VIEWPORT,
        )
        context.add_init_script(CATCH_TERMINAL)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`tpm demo`'s workspace (a roadmap, sprints, weeks of time) with a timer running,
    built once; each test serves its own copy."""
    folder = tmp_path_factory.mktemp("demo")
    built = run_tpm("demo", "--no-open", env={"TMPDIR": str(folder)})
    assert built.returncode == 0, built.stderr
    path = Path(re.search(r"demo workspace: (\S+)", built.stdout).group(1))  # type: ignore[union-attr]
    assert run_tpm("start", "m", "sprint review", db_path=path).returncode == 0
    return path


@pytest.fixture
def workspace(demo_db: Path, tmp_path: Path) -> Path:
    """This test's copy of the demo workspace."""
    path = tmp_path / "tpm.db"
    with sqlite3.connect(demo_db) as source, sqlite3.connect(path) as target:
        source.backup(target)
    return path


class Served:
    """A running `tpm serve` (its own process group, so the test can stop it like a
    ctrl+c would) and the URL it printed."""

    def __init__(self, db: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
        env.update(TPM_DB=str(db), TPM_NOW=NOW.isoformat(), TZ="Europe/Berlin")
        env["TEXTUAL_ANIMATIONS"] = "none"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tpm_tui", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = self._wait_for_url()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            for line in self.lines:
                found = re.match(r"tpm serve: (http://\S+)", line)
                if found:
                    return found.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.process.kill()
        raise AssertionError(f"no URL printed: {self.lines} {self.process.stderr.read()}")  # type: ignore[union-attr]

    def local_url(self, path: str = "/") -> str:
        """The server on 127.0.0.1 (whatever host it printed), at `path`."""
        port = re.search(r":(\d+)/", self.url).group(1)  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}{path}"

    def app_pids(self) -> list[int]:
        """The app processes it runs (its children)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def ctrl_c(self) -> tuple[int, str, str]:
        """Send SIGINT to the server alone (the hard case: no app process gets it from
        a terminal) and return its exit code and output."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=30)
        self._reader.join(timeout=5)
        assert self.process.stderr is not None
        return code, "\n".join(self.lines), self.process.stderr.read()

    def kill(self) -> None:
        """Make sure nothing is left running after a failed test."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """Start `tpm serve` over a database; everything started is stopped at the end."""
    started: list[Served] = []

    def start(db: Path, *args: str) -> Served:
        served = Served(db, *args)
        started.append(served)
        return served

    yield start
    for served in started:
        served.kill()


def wait_for_screen(page: Any, text: str, timeout: float = 30.0) -> str:
    """Poll the tab's terminal until `text` is on it; fail with the screen otherwise."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = page.evaluate(SCREEN_TEXT)
        if text in screen:
            return str(screen)
        page.wait_for_timeout(100)
    raise AssertionError(f"{text!r} never appeared in the page; it showed:\n{screen}")


def column_of(screen: str, needle: str) -> str:
    """The board column whose header is above the card line holding `needle`."""
    lines = screen.splitlines()
    header = next(line for line in lines if "Backlog" in line and "Done" in line)
    starts = {
        name: header.index(name) for name in ("Backlog", "To Do", "In Progress", "Review", "Done")
    }
    x = next(line.index(needle) for line in lines if needle in line)
    return max((start, name) for name, start in starts.items() if start <= x + 1)[1]


def backlog_card(db: Path) -> tuple[int, str]:
    """The first work item of the Backlog column (the card the board opens on)."""
    items = json.loads(
        run_tpm("list", "--status", "backlog", "--format", "json", db_path=db).stdout
    )
    first = next(i for i in items if i["kind"] in ("story", "bug", "debt"))
    return first["id"], first["title"]


def status_of(db: Path, item_id: int) -> str:
    """The item's column, as `tpm list --format json` says."""
    items = json.loads(run_tpm("list", "--format", "json", db_path=db).stdout)
    return str(next(i["status"] for i in items if i["id"] == item_id))


def open_tab(browser: Any, url: str) -> Any:
    """A new tab on the served page."""
    page = browser.new_page()
    page.goto(url)
    return page


def save_screenshot(page: Any, tmp_path: Path, name: str) -> bytes:
    """The page as PNG, kept in the test's folder (and in TPM_SCREENSHOTS if set)."""
    png: bytes = page.screenshot()
    (tmp_path / f"{name}.png").write_bytes(png)
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        (Path(SCREENSHOTS) / f"{name}.png").write_bytes(png)
    return png


def check_rendering(page: Any, png: bytes) -> set[str]:
    """What the page must show as the terminal would: every cell colour that Textual
    sent is the colour on screen, every block and bar is drawn, and every other
    symbol has a glyph in the page's fonts. Returns the symbols on screen."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    grid = page.evaluate(SCREEN_CELLS)
    cell_w, cell_h = grid["width"] / grid["cols"], grid["height"] / grid["rows"]

    def pixel(x: int, y: int, dx: float = 0.5, dy: float = 0.5) -> tuple[int, int, int]:
        at = (grid["left"] + (x + dx) * cell_w, grid["top"] + (y + dy) * cell_h)
        return image.getpixel((int(at[0]), int(at[1])))  # type: ignore[return-value]

    def rgb(value: int) -> tuple[int, int, int]:
        return (value >> 16) & 255, (value >> 8) & 255, value & 255

    def near(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
        return all(abs(p - q) <= 12 for p, q in zip(a, b, strict=True))

    backgrounds: dict[int, tuple[int, int]] = {}
    blocks: list[tuple[int, int, int]] = []
    symbols: set[str] = set()
    for x, y, chars, fg, bg, inverse in grid["cells"]:
        if inverse:
            continue
        if chars and ord(chars[0]) > 127:
            symbols.add(chars)
        if chars in ("", " ") and bg is not None:
            backgrounds.setdefault(bg, (x, y))
        elif chars == "█" and fg is not None:
            blocks.append((x, y, fg))
    assert len(backgrounds) >= 3, "Textual's colours never reached the terminal"
    wrong = {
        f"#{bg:06x} at ({x},{y}) is {pixel(x, y)}"
        for bg, (x, y) in backgrounds.items()
        if not near(pixel(x, y), rgb(bg))
    }
    assert not wrong, f"cell backgrounds not drawn in their colour: {sorted(wrong)}"
    undrawn = [(x, y) for x, y, fg in blocks if not near(pixel(x, y), rgb(fg))]
    assert not undrawn, f"█ cells not filled with their colour at {undrawn}"
    to_check = sorted(ch for ch in symbols if ord(ch[0]) not in OWN_GLYPHS)
    missing = page.evaluate(MISSING_GLYPHS, to_check)
    named = [f"{ch} U+{ord(ch[0]):04X} {unicodedata.name(ch[0], '?')}" for ch in missing]
    assert not named, f"no glyph in the page's fonts for: {named}"
    return symbols


# ---------------------------------------------------------------- the tests


def test_two_tabs_move_a_card_and_ctrl_c_ends_every_app(
    browser: Any, serve: Callable[..., Served], workspace: Path, tmp_path: Path
) -> None:
    card, title = backlog_card(workspace)
    label = f"#{card} {title[:12]}"
    served = serve(workspace)
    assert served.url.startswith("http://127.0.0.1:") and "token" not in served.url
    first = open_tab(browser, served.url)
    second = open_tab(browser, served.url)
    screen = wait_for_screen(first, label)
    assert column_of(screen, label) == "Backlog"
    wait_for_screen(second, label)
    assert len(served.app_pids()) == 2  # one app process per tab

    first.bring_to_front()
    first.keyboard.press("L")  # no click first: the page gives the board the keys
    deadline = time.monotonic() + 10
    while status_of(workspace, card) != "todo" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status_of(workspace, card) == "todo"
    # The other tab's board sees the move (its change watcher polls the database).
    deadline = time.monotonic() + 15
    while column_of(second.evaluate(SCREEN_TEXT), label) != "To Do":
        assert time.monotonic() < deadline, second.evaluate(SCREEN_TEXT)
        second.wait_for_timeout(100)

    board = check_rendering(first, save_screenshot(first, tmp_path, "board"))
    assert {"│", "⏱"} <= board  # the status line's bars and the running timer's badge
    first.keyboard.press("2")
    wait_for_screen(first, "on track")
    roadmap = check_rendering(first, save_screenshot(first, tmp_path, "roadmap"))
    assert {"█", "◆"} <= roadmap
    first.keyboard.press("4")
    wait_for_screen(first, "within")
    week = check_rendering(first, save_screenshot(first, tmp_path, "week"))
    assert "░" in week

    apps = served.app_pids()
    assert len(apps) == 2
    code, out, err = served.ctrl_c()
    assert code == 0, err
    assert "tpm serve: a tab opened from 127.0.0.1 (2 open)" in out.splitlines()
    assert out.splitlines()[-1] == "tpm serve: stopped; 2 tabs closed"
    assert "Traceback" not in err
    alive = [pid for pid in apps if Path(f"/proc/{pid}").exists()]
    assert not alive, f"app processes still running after ctrl+c: {alive}"
    with sqlite3.connect(workspace) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    first.close()
    second.close()


def test_read_only_refuses_a_move_and_changes_nothing(
    browser: Any, serve: Callable[..., Served], workspace: Path, tmp_path: Path
) -> None:
    card, title = backlog_card(workspace)
    label = f"#{card} {title[:12]}"
    before = hashlib.sha256(workspace.read_bytes()).hexdigest()
    exported = run_tpm("export", db_path=workspace).stdout
    served = serve(workspace, "--read-only")
    page = open_tab(browser, served.url)
    screen = wait_for_screen(page, label)
    assert "read-only" in screen  # the status bar says so
    page.keyboard.press("L")
    wait_for_screen(page, "nothing was changed")
    save_screenshot(page, tmp_path, "read-only")
    assert column_of(page.evaluate(SCREEN_TEXT), label) == "Backlog"
    code, _, err = served.ctrl_c()
    assert code == 0, err
    page.close()
    assert status_of(workspace, card) == "backlog"
    assert run_tpm("export", db_path=workspace).stdout == exported
    assert hashlib.sha256(workspace.read_bytes()).hexdigest() == before


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_beyond_loopback_nothing_answers_without_the_token(
    browser: Any, serve: Callable[..., Served], workspace: Path
) -> None:
    served = serve(workspace, "--host", "0.0.0.0")
    token = re.search(r"\?token=([\w.~-]+)$", served.url).group(1)  # type: ignore[union-attr]
    assert len(token) >= 20
    # Bound to every interface; asked on loopback (the only address tests may use).
    for path in ("/", "/ws", "/static/js/textual.js", "/?token=wrong" + token[5:]):
        assert _get(served.local_url(path))[0] == 403, path
    status, headers = _get(served.local_url(f"/?token={token}"))
    assert status == 200 and "HttpOnly" in headers["Set-Cookie"]
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert _get(served.local_url("/static/js/textual.js"), cookie)[0] == 200
    # The page keeps the token for its websocket: the board opens.
    card, title = backlog_card(workspace)
    page = open_tab(browser, served.local_url(f"/?token={token}"))
    wait_for_screen(page, f"#{card} {title[:12]}")
    page.close()
    code, _, err = served.ctrl_c()
    assert code == 0, err
