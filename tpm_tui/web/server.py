"""The `tpm serve` web server: textual-serve's page and app protocol, with a token at
the door, one tpm app process per browser tab, and every app process ended on ctrl+c.

Each tab runs `python -m tpm_tui.web.tab` on the same workspace (TPM_DB in its
environment, so a server URL's password never shows in a process list); the board's
change watcher brings what one tab changes to the others."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hmac
import html
import ipaddress
import re
import secrets
import shlex
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int
from yarl import URL

from tpm_tui.config import READ_ONLY_ENV
from tpm_tui.errors import InvalidInput, TpmError

PAGE = Template((Path(__file__).with_name("index.html")).read_text(encoding="utf-8"))
QUIT_GRACE = 5.0  # seconds an app process has to quit by itself before it is killed
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_.~-]{12,}")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_loopback(host: str) -> bool:
    """Whether `host` only reaches this machine (localhost, 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_token(token: str) -> str:
    """A token someone chose: long enough to guess never, and safe in a URL."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise InvalidInput(
            "--token must be at least 12 letters, digits or - _ . ~ "
            "(or leave it out: tpm generates one)"
        )
    return token


def new_token() -> str:
    """A fresh random token (24 URL-safe characters)."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class ServeOptions:
    """What `tpm serve` was asked for."""

    host: str
    port: int
    token: str | None  # None: no token needed (loopback, and none was given)
    read_only: bool
    database: str  # the workspace's URL, handed to each app process as TPM_DB
    workspace: str  # the workspace as messages name it
    env: dict[str, str] = field(default_factory=dict)  # more environment for the apps


class Tab(AppService):
    """One browser tab's tpm: an app process speaking textual-serve's protocol."""

    def __init__(self, extra_env: dict[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.extra_env = extra_env

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment.update(self.extra_env)
        return environment

    @property
    def pid(self) -> int | None:
        """The app process's id, once started."""
        return None if self._process is None else self._process.pid

    async def end(self) -> None:
        """Ask the app to quit (as `q` does: nothing half-written), and kill it if it
        has not gone after QUIT_GRACE seconds."""
        process = self._process
        if process is None:
            return
        # Not wait_for: textual-serve's reader swallows a cancellation, so the wait
        # would outlast the grace. Kill after it instead; the reader then sees the end.
        quitting = asyncio.ensure_future(self._quit(process))
        await asyncio.wait({quitting}, timeout=QUIT_GRACE)
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        await quitting

    async def _quit(self, process: asyncio.subprocess.Process) -> None:
        await self.stop()
        await process.wait()


def _quiet(line: str) -> None:
    """Say nothing."""


class TpmServer(Server):
    """textual-serve's server for the tpm board, guarded by a token and a same-origin
    check, that keeps track of its app processes so that it can end them all."""

    def __init__(self, options: ServeOptions, say: Callable[[str], None] = _quiet) -> None:
        command = f"exec {shlex.quote(sys.executable)} -m tpm_tui.web.tab"
        super().__init__(command, host=options.host, port=options.port, title="tpm")
        self.options = options
        self.tabs: dict[Tab, web.WebSocketResponse] = {}
        self.app_env = {"TPM_DB": options.database, **options.env}
        if options.read_only:
            self.app_env[READ_ONLY_ENV] = "1"
        self.say = say
        self.cookie = f"tpm-token-{options.port}"  # named after the port it gets, once bound
        self._stop = asyncio.Event()
        self.url = ""

    # ------------------------------------------------------------ the door

    def refusal(self, request: web.Request) -> str | None:
        """Why this request is refused, or None. A token is needed when one is set
        (`?token=` or the cookie the page got); without one, the Host must be loopback
        (a web page cannot reach it by renaming itself: DNS rebinding); and a websocket
        must come from this server's own page (no other site can drive the board)."""
        token = self.options.token
        if token is not None:
            given = request.query.get("token") or request.cookies.get(self.cookie) or ""
            if not hmac.compare_digest(given.encode(), token.encode()):
                return "this tpm needs its token: open the URL `tpm serve` printed (?token=…)"
        elif not is_loopback(URL(f"http://{request.host}").host or ""):
            return "this tpm answers only to localhost"
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin is not None:
            here = URL(f"{request.scheme}://{request.host}")
            there = URL(origin)
            if (there.host, there.port) != (here.host, here.port):
                return "a websocket from another site"
        return None

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse (403) what `refusal` names before any handler runs."""
        reason = self.refusal(request)
        if reason is not None:
            raise web.HTTPForbidden(text=f"403: {reason}\n")
        return await handler(request)

    def make_app(self) -> web.Application:
        """The web application: the page, its websocket, downloads and textual-serve's
        static files (script, styles, font), every one behind the guard."""
        app = web.Application(middlewares=[self.guard])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, name="static"),
                web.get("/favicon.ico", _no_content),
            ]
        )
        return app

    # ------------------------------------------------------------ the page

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page; it keeps the token (a cookie for this server only) for its
        websocket and files."""
        scheme = "wss" if request.secure else "ws"
        title = f"tpm — {self.options.workspace}" + (
            " (read-only)" if self.options.read_only else ""
        )
        page = PAGE.substitute(
            title=html.escape(title),
            static="/static/",
            websocket=html.escape(f"{scheme}://{request.host}/ws"),
            font_size=to_int(request.query.get("fontsize", "16"), 16),
        )
        response = web.Response(text=page, content_type="text/html")
        if self.options.token is not None:
            response.set_cookie(
                self.cookie, self.options.token, httponly=True, samesite="Strict", path="/"
            )
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab: start its own app process, relay keys and screen until either side
        goes, then end the process."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)
        tab = Tab(
            self.app_env,
            command=self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        self.tabs[tab] = websocket
        # Who is looking, for the person running it (the board may be on a network).
        self.say(f"tpm serve: a tab opened from {request.remote} ({len(self.tabs)} open)")
        try:
            await tab.start(width, height)
            await self._process_messages(websocket, tab)
        except asyncio.CancelledError:
            pass
        finally:
            await tab.end()
            if self.tabs.pop(tab, None) is not None:
                self.say(f"tpm serve: a tab closed ({len(self.tabs)} open)")
            await websocket.close()
        return websocket

    # ------------------------------------------------------------ running

    def announce(self, port: int) -> str:
        """The URL to open (with the token), as printed once at start."""
        host = self.options.host
        if host in ("0.0.0.0", "::", ""):
            host = socket.gethostname()
        elif ":" in host:
            host = f"[{host}]"
        url = f"http://{host}:{port}/"
        if self.options.token is not None:
            url += f"?token={self.options.token}"
        return url

    def ready(self) -> None:
        """Say where to open it, once."""
        options = self.options
        self.say(f"tpm serve: {self.url}")
        mode = "read-only" if options.read_only else "every change is saved"
        self.say(f"  the board of {options.workspace} for each browser tab ({mode}); ctrl+c stops")
        if options.token is not None:
            self.say("  the URL carries the token: only people you give it to can open the board")

    def request_exit(self) -> None:
        """ctrl+c or SIGTERM: stop (the tabs' processes are ended first)."""
        self._stop.set()

    async def run(self) -> int:
        """Listen, say the URL, serve until asked to stop, end every app process and
        return how many there were. A port that is taken is refused."""
        runner = web.AppRunner(self.make_app(), handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.options.host, self.options.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise _listen_error(exc, self.options.host, self.options.port) from None
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.request_exit)
        port = int(runner.addresses[0][1])
        self.cookie = f"tpm-token-{port}"
        self.url = self.announce(port)
        self.ready()
        try:
            await self._stop.wait()
        finally:
            await site.stop()  # no new tab from here on
            tabs = list(self.tabs.items())
            self.tabs.clear()
            await asyncio.gather(*(tab.end() for tab, _ in tabs))
            going = WSCloseCode.GOING_AWAY
            await asyncio.gather(*(ws.close(code=going, message=b"stopped") for _, ws in tabs))
            await runner.cleanup()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
        return len(tabs)


async def _no_content(request: web.Request) -> web.Response:
    """No icon (rather than a 404 in the browser's console)."""
    return web.Response(status=204)


def _listen_error(exc: OSError, host: str, port: int) -> TpmError:
    """One line for a socket that cannot be had."""
    if exc.errno == errno.EADDRINUSE:
        return TpmError(
            f"port {port} on {host} is taken (another program listens there): pass another --port"
        )
    if exc.errno == errno.EACCES:
        return TpmError(f"port {port}: not allowed to listen there; pass --port above 1023")
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return InvalidInput(f"--host {host}: not an address of this machine")
    return TpmError(f"cannot listen on {host}:{port} ({exc.strerror or exc})")


def serve(options: ServeOptions, say: Callable[[str], None]) -> int:
    """Run the server until ctrl+c; `say` prints each line for the person running it.
    Returns how many tabs' app processes were still open at the end (all ended)."""
    return asyncio.run(TpmServer(options, say).run())
