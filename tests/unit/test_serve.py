"""`tpm serve` without a browser: who gets in (token, Host, Origin), and the one-line
refusals of the command (port taken, bad token, unusable database, missing extra)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from textual_serve.download_manager import DownloadManager

from tests.conftest import run_tpm
from tpm_tui.errors import InvalidInput
from tpm_tui.web import server
from tpm_tui.web.server import ServeOptions, Tab, TpmServer, check_token, is_loopback

TOKEN = "s3cret-token-for-tests"


def _options(token: str | None, host: str = "127.0.0.1") -> ServeOptions:
    return ServeOptions(
        host=host,
        port=8765,
        token=token,
        read_only=False,
        database="sqlite:////nowhere/tpm.db",
        workspace="/nowhere/tpm.db",
    )


async def _client(options: ServeOptions) -> TestClient:
    client: TestClient = TestClient(TestServer(TpmServer(options).make_app()))
    await client.start_server()
    return client


@pytest.fixture
async def guarded() -> AsyncIterator[TestClient]:
    """A server that needs the token (as when bound beyond loopback)."""
    client = await _client(_options(TOKEN, host="0.0.0.0"))
    yield client
    await client.close()


@pytest.fixture
async def local() -> AsyncIterator[TestClient]:
    """A loopback server without a token."""
    client = await _client(_options(None))
    yield client
    await client.close()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.7", False),
        ("my-laptop.local", False),
    ],
)
def test_only_loopback_addresses_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


async def test_without_the_token_everything_is_refused(guarded: TestClient) -> None:
    for path in ("/", "/ws", "/static/js/textual.js", "/download/x", f"/?token={TOKEN}x"):
        response = await guarded.get(path)
        assert response.status == 403, path
        assert "token" in await response.text()


async def test_the_token_opens_the_page_and_the_cookie_keeps_it(guarded: TestClient) -> None:
    page = await guarded.get(f"/?token={TOKEN}")
    assert page.status == 200
    text = await page.text()
    assert "googleapis" not in text  # nothing from the Internet
    assert 'data-session-websocket-url="ws://127.0.0.1:' in text
    cookie = page.cookies[f"tpm-token-{8765}"]
    assert cookie.value == TOKEN and cookie["httponly"] and cookie["samesite"] == "Strict"
    # The client keeps the cookie, as the page does for its script and websocket.
    assert (await guarded.get("/static/js/textual.js")).status == 200


async def test_a_loopback_server_answers_only_to_loopback_names(local: TestClient) -> None:
    assert (await local.get("/")).status == 200
    assert (await local.get("/", headers={"Host": f"localhost:{local.port}"})).status == 200
    # DNS rebinding: a web page whose name now points at 127.0.0.1 sends its own name.
    rebound = await local.get("/", headers={"Host": "attacker.example:8765"})
    assert rebound.status == 403


async def test_a_websocket_from_another_site_is_refused(local: TestClient) -> None:
    response = await local.get("/ws", headers={"Origin": "http://attacker.example"})
    assert response.status == 403
    assert "another site" in await response.text()


def test_a_chosen_token_must_be_long_and_url_safe() -> None:
    assert check_token(TOKEN) == TOKEN
    for bad in ("short", "has space in it ok", "semi;colon;token;x"):
        with pytest.raises(InvalidInput):
            check_token(bad)
    refused = run_tpm("serve", "--token", "short")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("tpm: --token must be at least 12")


def test_a_port_that_is_taken_is_one_line_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_tpm("serve", "--port", str(port), db_path=tmp_path / "tpm.db")
    assert result.returncode == 1
    assert result.stderr == (
        f"tpm: port {port} on 127.0.0.1 is taken (another program listens there): "
        "pass another --port\n"
    )
    assert "tpm serve: http" not in result.stdout


def test_an_unusable_database_stops_it_before_listening(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 100)
    result = run_tpm("serve", "--port", "0", db_path=notes)
    assert result.returncode == 1
    assert result.stderr.startswith(f"tpm: {notes}: not a usable tpm database")
    assert result.stderr.count("\n") == 1 and not result.stdout


def test_without_the_serve_extra_it_says_what_to_install(tmp_path: Path) -> None:
    probe = (
        "import sys; sys.modules['textual_serve'] = None\nfrom tpm_tui.cli import main; main()\n"
    )
    env = {**os.environ, "TPM_DB": str(tmp_path / "tpm.db")}
    result = subprocess.run(
        [sys.executable, "-c", probe, "serve"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 1
    assert result.stderr == (
        "tpm: `tpm serve` needs the serve extra (textual_serve is missing): "
        "pip install 'tpm-tui[serve]'\n"
    )


async def test_an_app_that_does_not_quit_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    """ctrl+c or a closed tab asks the app to quit; one that hangs is killed."""
    monkeypatch.setattr(server, "QUIT_GRACE", 0.5)

    async def nowhere(*_: object) -> None:
        return None

    tab = Tab(
        {},
        command="exec sleep 30",  # reads no input, so never sees the quit request
        write_bytes=nowhere,
        write_str=nowhere,
        close=nowhere,
        download_manager=DownloadManager(),
    )
    await tab.start(80, 24)
    assert tab.pid is not None and Path(f"/proc/{tab.pid}").exists()
    started = time.monotonic()
    await tab.end()
    assert time.monotonic() - started < 5
    assert not Path(f"/proc/{tab.pid}").exists()
