"""``tutorial-runner serve``: the built site, and a live terminal for each page's sessions.

aiohttp serves the site's files and one WebSocket per reader (``/_live/ws``).  Each socket
is one fresh session of a page (its files, its profile, its cluster) in the sandbox that
``check`` uses; the pty's bytes go to the browser's xterm.js as binary frames, the
reader's keys come back as JSON.  The command boundaries come from the shell's markers
(:mod:`tutorial_runner.live.terminal`), and each finished page command is checked by
:class:`tutorial_runner.live.checker.LiveChecker`; the verdict goes to the page as JSON.

Messages from the browser: ``{"type": "input", "data": KEYS}``, ``{"type": "size", "rows",
"cols"}``, ``{"type": "run", "block", "index"}`` (a command clicked in the page),
``{"type": "rest", "block"}``, ``{"type": "reset"}``.  To the browser: ``ready``,
``running``, ``step`` (see ``LiveResult.as_message``), ``reset``, ``busy``, ``ended``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import errno
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import yarl
from aiohttp import WSMsgType, web

from tutorial_runner.environment import load_environment
from tutorial_runner.live.checker import LiveChecker
from tutorial_runner.live.labels import labels
from tutorial_runner.live.pages import Page, read_page
from tutorial_runner.live.terminal import (
    Limits, LiveShell, More, Output, Prompt, Started, output_lines)
from tutorial_runner.match import match_prompt, substitute
from tutorial_runner.session import normalize
from tutorial_runner.transcript import INTERACTIVE_PROMPT, classify_block, static_input_guess

HERE = Path(__file__).parent
STATIC = HERE / "static"
TRY_AGAIN_LATER = 1013          # the WebSocket close code for "busy"
_QUEUE_HIGH = 256               # output chunks waiting for a slow browser: stop reading


@dataclass
class Settings:
    site: Path
    max_sessions: int = 10
    limits: Limits = field(default_factory=Limits)
    sandbox: str = "auto"
    languages: tuple[str, ...] = ("ja", "en")


class Live:
    """The server's sessions: at most ``max_sessions`` at once."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.active: set[Connection] = set()
        self.pool = ThreadPoolExecutor(max_workers=max(4, settings.max_sessions * 2),
                                       thread_name_prefix="live-session")

    def status(self) -> dict[str, Any]:
        return {"live": True, "sessions": len(self.active), "max": self.settings.max_sessions}

    async def close_all(self) -> None:
        await asyncio.gather(*(c.end("shutdown") for c in list(self.active)),
                             return_exceptions=True)
        self.pool.shutdown(wait=True)


LIVE = web.AppKey("live", Live)


@dataclass(frozen=True)
class ProgramLine:
    """A line the page types to a program that runs (``[ root@curl:/ ]$ nslookup …``): sent
    once that program shows the prompt the line begins with."""

    block: int
    index: int
    text: str           # the documented line, prompt included


class Connection:
    """One reader's socket and session."""

    def __init__(self, live: Live, ws: web.WebSocketResponse, page: Page, session_name: str,
                 language: str):
        self.live = live
        self.ws = ws
        self.page = page
        self.session_name = session_name
        self.language = language
        self.loop = asyncio.get_running_loop()
        self.shell: LiveShell | None = None
        self.checker: LiveChecker | None = None
        self.outgoing: asyncio.Queue[bytes | dict[str, Any] | None] = asyncio.Queue()
        self.reading = False
        self.running: Started | None = None
        self.claimed: int | None = None
        self.clicked: int | None = None
        self.output = bytearray()
        self.at_prompt = False
        self.begun = False              # the reader has typed part of a line at the prompt
        self.typed_setup: set[int] = set()   # hidden set-up commands already typed
        self.queue: collections.deque[int | ProgramLine] = collections.deque()
        self.started_at = time.monotonic()
        self.last_input = time.monotonic()
        self.over = False
        self.size = (24, 80)

    # -- life cycle -------------------------------------------------------------------

    async def start_session(self) -> None:
        limits = self.live.settings.limits
        session = self.page.session(self.session_name)
        if session is None:
            raise LookupError(f"no session {self.session_name!r} on {self.page.docname}")
        environment = load_environment(self.page.environment)
        shell = LiveShell(environment, session.cluster, sandbox=self.live.settings.sandbox,
                          kubectl=session.kubectl or self.page.kubectl, limits=limits,
                          size=self.size)
        began = time.monotonic()
        try:
            await self.loop.run_in_executor(self.live.pool, shell.start)
        except BaseException:
            await self.loop.run_in_executor(self.live.pool, shell.close)
            raise
        self.shell = shell
        self.checker = LiveChecker(session, shell.input_prompts)
        self.running = self.claimed = self.clicked = None
        self.queue.clear()
        self.typed_setup.clear()
        self.output.clear()
        self.started_at = time.monotonic()
        self._write_files(self.checker.files_due())
        self.at_prompt = True
        inputs = [{"block": e.block, "index": e.index, "line": e.line, "number": e.number,
                   "hidden": e.hidden} for e in self.checker.inputs]
        self.put({"type": "ready", "inputs": inputs,
                  "seconds": round(time.monotonic() - began, 3)})
        if shell.first:
            self.put(shell.first)
        self._resume_reading()
        self._queue_hidden()
        self._pump()

    async def stop_session(self) -> None:
        shell, self.shell = self.shell, None
        self._pause_reading(shell)
        if shell is not None:
            await self.loop.run_in_executor(self.live.pool, shell.close)

    async def end(self, reason: str) -> None:
        """The session is over (idle, time, shell exited, server stopping): say why, close."""
        if self.over:
            return
        self.over = True
        self.put({"type": "ended", "reason": reason})
        await self.stop_session()
        self.put(None)

    # -- the pty ----------------------------------------------------------------------

    def _resume_reading(self) -> None:
        if self.shell is not None and not self.reading:
            self.loop.add_reader(self.shell.fd, self._readable)
            self.reading = True

    def _pause_reading(self, shell: LiveShell | None = None) -> None:
        shell = shell or self.shell
        if self.reading and shell is not None and shell.shell.child is not None:
            with contextlib.suppress(ValueError, OSError):
                self.loop.remove_reader(shell.fd)
        self.reading = False

    def _readable(self) -> None:
        shell = self.shell
        if shell is None:
            return
        try:
            data = os.read(shell.fd, 65536)
        except OSError as error:
            if error.errno not in (errno.EIO, errno.EBADF):
                raise
            data = b""
        if not data:
            self._pause_reading()
            asyncio.ensure_future(self._shell_gone())
            return
        for event in shell.stream.feed(data):
            self._event(event)
        if self.outgoing.qsize() > _QUEUE_HIGH:
            self._pause_reading()

    async def _shell_gone(self) -> None:
        self.put({"type": "ended", "reason": "exited"})
        await self.stop_session()

    def _event(self, event: Output | Started | Prompt | More) -> None:
        assert self.checker is not None
        if isinstance(event, Output):
            self.put(event.data)
            if self.running is not None and len(self.output) < self.live.settings.limits.output_kept:
                self.output += event.data
            if self.running is not None and self.queue and isinstance(self.queue[0], ProgramLine):
                self._answer_program()
        elif isinstance(event, Started):
            self.running = event
            self.at_prompt = False
            self.output.clear()
            self.claimed = self.checker.claim(event.command, self.clicked)
            self.clicked = None
            if self.claimed is not None:
                entry = self.checker.inputs[self.claimed]
                self.put({"type": "running", "block": entry.block, "index": entry.index})
        elif isinstance(event, Prompt):
            if self.running is not None:
                self._finished()
            while self.queue and isinstance(self.queue[0], ProgramLine):
                self.queue.popleft()        # its program has ended: the line has no one to go to
            self.at_prompt = True
            self.begun = False
            self.clicked = None
            self._pump()

    def _finished(self) -> None:
        assert self.checker is not None and self.shell is not None
        number, self.running, self.claimed = self.claimed, None, None
        if number is None:
            return
        result = self.checker.check(number, output_lines(bytes(self.output)))
        self.put(result.as_message())
        self._write_files(self.checker.files_due())
        self._queue_hidden()

    def _write_files(self, blocks: list[Any]) -> None:
        if blocks and self.shell is not None:
            self.shell.write_files(blocks)

    def _queue_hidden(self) -> None:
        """A set-up block the page does not show runs by itself when the page reaches it."""
        assert self.checker is not None
        entry = self.checker.next_input()
        if entry is not None and entry.hidden and entry.number not in self.queue:
            self.queue.appendleft(entry.number)

    def _hidden_before(self, number: int) -> int | None:
        """A set-up command the page does not show, before ``number``, that has not run:
        it runs first, as check would have run it."""
        assert self.checker is not None
        return next((e.number for e in self.checker.inputs[:number]
                     if e.hidden and e.number not in self.checker.results
                     and e.number not in self.typed_setup), None)

    def _answer_program(self) -> None:
        """The running program waits at the prompt the next queued line begins with: type
        the rest of that line, with the bindings substituted."""
        assert self.checker is not None and self.shell is not None
        line = self.queue[0]
        assert isinstance(line, ProgramLine)
        text, _ = normalize(bytes(self.output[-4096:]))
        partial = text.rsplit("\n", 1)[-1]
        options = self.checker.session.blocks[line.block].options
        matched = match_prompt(line.text, partial, self.checker.bindings, options.vars)
        if matched is not None:
            rest = matched[1]
        else:
            # a prompt of another shape than documented (a generated pod name that is now a
            # plain one) still means the program waits for its next line, as check sees it
            shown, documented = INTERACTIVE_PROMPT.match(partial), INTERACTIVE_PROMPT.match(line.text)
            if shown is None or documented is None or shown.end() != len(partial):
                return
            rest = line.text[documented.end():]
        self.queue.popleft()
        typed = substitute(rest, self.checker.bindings, options.vars)
        self.shell.send(typed.encode("utf-8") + b"\r")

    def _pump(self) -> None:
        """Type the next queued page command once bash waits at its prompt."""
        if not self.at_prompt or self.shell is None or self.checker is None:
            return
        while self.queue and isinstance(self.queue[0], ProgramLine):
            self.queue.popleft()            # bash waits, not a program: nothing to answer
        if not self.queue:
            return
        number = self.queue.popleft()
        assert isinstance(number, int)
        setup = self._hidden_before(number)
        if setup is not None:
            self.queue.appendleft(number)
            if setup in self.queue:
                self.queue.remove(setup)
            number = setup
        if self.checker.inputs[number].hidden:
            self.typed_setup.add(number)
        self._write_files(self.checker.files_due(number))
        self.clicked = number
        self.at_prompt = False
        typed = self.checker.typed(number).replace("\n", "\r")
        # Ctrl-E Ctrl-U: whatever the reader had begun to type on the line goes first
        clear = b"\x05\x15" if self.begun else b""
        self.begun = False
        self.shell.send(clear + typed.encode("utf-8") + b"\r")

    # -- the browser ------------------------------------------------------------------

    def put(self, item: bytes | dict[str, Any] | None) -> None:
        self.outgoing.put_nowait(item)

    async def sender(self) -> None:
        """Sends what is queued, in order; terminal bytes that queued up go as one frame."""
        while True:
            item = await self.outgoing.get()
            batch: list[bytes] = []
            while True:
                if isinstance(item, bytes):
                    batch.append(item)
                else:
                    if batch:
                        await self._send_bytes(b"".join(batch))
                        batch = []
                    if item is None:
                        with contextlib.suppress(Exception):
                            await self.ws.close()
                        return
                    await self.ws.send_str(json.dumps(item, ensure_ascii=False))
                if self.outgoing.empty():
                    break
                item = self.outgoing.get_nowait()
            if batch:
                await self._send_bytes(b"".join(batch))

    async def _send_bytes(self, data: bytes) -> None:
        await self.ws.send_bytes(data)
        if not self.reading and self.outgoing.qsize() < _QUEUE_HIGH // 2 \
                and self.shell is not None and not self.over:
            self._resume_reading()

    async def message(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        if kind == "size":
            rows, cols = int(data.get("rows", 24)), int(data.get("cols", 80))
            self.size = (rows, cols)
            if self.shell is not None:
                self.shell.resize(rows, cols)
            return
        self.last_input = time.monotonic()
        if kind == "reset":
            self.put({"type": "reset"})
            await self.stop_session()
            self.over = False
            await self.start()
            return
        if self.shell is None or self.checker is None:
            return
        if kind == "input":
            text = str(data.get("data", ""))
            if "\r" in text or "\n" in text:
                self.at_prompt = False     # a line went to bash: wait for its next prompt
            elif self.at_prompt:
                self.begun = True
            with contextlib.suppress(OSError):
                self.shell.send(text.encode("utf-8"))
        elif kind == "run":
            self._run(int(data.get("block", -1)), int(data.get("index", -1)))
        elif kind == "rest":
            for item in self._rest(int(data.get("block", -1))):
                if item not in self.queue:
                    self.queue.append(item)
            self._pump()

    def _run(self, block: int, index: int) -> None:
        """A line clicked in the page: a page command is queued; a line typed to a program
        that waits (``/ # nslookup …``) is sent to it, with the bindings substituted."""
        assert self.checker is not None and self.shell is not None
        entry = self.checker.find(block, index)
        if entry is not None and entry.hidden:
            return                          # runs by itself when the page reaches it
        if entry is not None:
            if entry.number not in self.queue:
                self.queue.append(entry.number)
            self._pump()
            return
        blocks = self.checker.session.blocks
        if not 0 <= block < len(blocks) or blocks[block].kind != "transcript":
            return
        guesses = static_input_guess(classify_block(blocks[block], list(self.shell.input_prompts)))
        if 0 <= index < len(guesses) and guesses[index].kind == "interactive":
            text = substitute(guesses[index].input, self.checker.bindings,
                              blocks[block].options.vars)
            self.shell.send(text.encode("utf-8") + b"\r")

    def _rest(self, block: int) -> list[int | ProgramLine]:
        """The block's commands from the next one not run, each followed by the lines the
        page types to the program it starts."""
        assert self.checker is not None and self.shell is not None
        blocks = self.checker.session.blocks
        if not 0 <= block < len(blocks) or blocks[block].kind != "transcript" \
                or blocks[block].options.hide or blocks[block].options.skip is not None:
            return []                       # hidden blocks run by themselves; skipped never
        numbers = self.checker.rest_of(block)
        whole = not numbers or numbers[0] == min(numbers + [
            e.number for e in self.checker.inputs if e.block == block])
        # the whole block: from its first line, which may be typed to a program an earlier
        # block started; else from the first command not run yet
        first = 0 if whole else self.checker.inputs[numbers[0]].index
        transcript = blocks[block]
        guesses = static_input_guess(classify_block(transcript, list(self.shell.input_prompts)))
        items: list[int | ProgramLine] = []
        for index in range(first, len(guesses)):
            entry = self.checker.find(block, index)
            if entry is not None and entry.number in numbers:
                items.append(entry.number)
            elif guesses[index].kind == "interactive":
                items.append(ProgramLine(block, index, transcript.body[index]))
        # a hidden block right after may end the program this one left running (`exit`)
        for later in range(block + 1, len(blocks)):
            hidden = blocks[later]
            if hidden.kind != "transcript" or not hidden.options.hide:
                break
            guesses = static_input_guess(classify_block(hidden, list(self.shell.input_prompts)))
            items.extend(ProgramLine(later, index, hidden.body[index])
                         for index, guess in enumerate(guesses) if guess.kind == "interactive")
        return items

    async def start(self) -> None:
        try:
            await self.start_session()
        except Exception as error:  # the environment could not start: say so, keep the socket
            self.put({"type": "ended", "reason": "failed-start",
                      "message": f"{type(error).__name__}: {error}"})

    async def watchdog(self) -> None:
        limits = self.live.settings.limits
        step = max(0.05, min(5.0, limits.idle_seconds / 4, limits.wall_seconds / 4))
        while not self.over:
            await asyncio.sleep(step)
            now = time.monotonic()
            if now - self.last_input > limits.idle_seconds:
                await self.end("idle")
            elif now - self.started_at > limits.wall_seconds:
                await self.end("time")


async def socket_handler(request: web.Request) -> web.StreamResponse:
    live: Live = request.app[LIVE]
    query = request.query
    language = query.get("lang", "")
    page = read_page(live.settings.site, language, query.get("doc", ""))
    origin = request.headers.get("Origin")
    if origin is not None and yarl.URL(origin).host_port_subcomponent != request.host:
        # another site open in the reader's browser may not drive a session
        raise web.HTTPForbidden(text="the live terminal answers pages of this site only")
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=1 << 20)
    if not ws.can_prepare(request).ok:
        if len(live.active) >= live.settings.max_sessions:
            return busy_page(live, status=503)
        raise web.HTTPBadRequest(text="a WebSocket endpoint")
    await ws.prepare(request)
    if page is None or page.session(query.get("session", "")) is None:
        await ws.send_str(json.dumps({"type": "ended", "reason": "failed-start",
                                      "message": "no such page or session"}))
        await ws.close()
        return ws
    if len(live.active) >= live.settings.max_sessions:
        await ws.send_str(json.dumps({"type": "busy"}))
        await ws.close(code=TRY_AGAIN_LATER, message=b"busy, try again")
        return ws
    connection = Connection(live, ws, page, query.get("session", ""), language)
    with contextlib.suppress(ValueError):
        connection.size = (max(2, int(query.get("rows", "24"))), max(10, int(query.get("cols", "80"))))
    live.active.add(connection)
    sender = asyncio.ensure_future(connection.sender())
    watchdog = asyncio.ensure_future(connection.watchdog())
    try:
        await connection.start()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                try:
                    data = json.loads(message.data)
                except ValueError:
                    continue
                if isinstance(data, dict):
                    await connection.message(data)
            elif message.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                break
    finally:
        # the tab closed, or the session ended: its processes go with it
        live.active.discard(connection)
        watchdog.cancel()
        connection.over = True
        await connection.stop_session()
        connection.put(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(sender, 5)
        sender.cancel()
    return ws


def busy_page(live: Live, status: int = 503) -> web.Response:
    words = [labels(code)["busy"] for code in live.settings.languages]
    body = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>503</title></head><body>"
            + "".join(f"<p lang='{escape(code)}'>{escape(text)}</p>"
                      for code, text in zip(live.settings.languages, words))
            + "</body></html>")
    return web.Response(status=status, text=body, content_type="text/html",
                        headers={"Retry-After": "60"})


async def status_handler(request: web.Request) -> web.Response:
    return web.json_response(request.app[LIVE].status())


async def site_handler(request: web.Request) -> web.StreamResponse:
    site: Path = request.app[LIVE].settings.site.resolve()
    relative = request.match_info.get("path", "")
    target = (site / relative).resolve()
    if not target.is_relative_to(site):
        raise web.HTTPNotFound()
    if target.is_dir():
        if relative and not relative.endswith("/"):
            raise web.HTTPFound(request.path + "/")
        target = target / "index.html"
    if not target.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(target, headers={"Cache-Control": "no-cache"})


def make_app(settings: Settings) -> web.Application:
    app = web.Application()
    live = Live(settings)
    app[LIVE] = live
    app.router.add_get("/_live/status", status_handler)
    app.router.add_get("/_live/ws", socket_handler)
    app.router.add_static("/_live/static/", STATIC)
    app.router.add_get("/{path:.*}", site_handler)

    async def closing(app: web.Application) -> None:
        await live.close_all()

    app.on_shutdown.append(closing)
    return app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000,
          ready: Any = None) -> None:
    """Run until interrupted.  ``ready(url)`` is called once the socket listens."""
    async def main() -> None:
        app = make_app(settings)
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        if ready is not None:
            ready(f"http://{host}:{bound}/")
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    asyncio.run(main())
