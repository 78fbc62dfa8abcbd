"""A live server on loopback for the tests, and a reader's socket to it."""
from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tutorial_runner.document import read_document
from tutorial_runner.live.pages import write_page
from tutorial_runner.live.server import Settings, make_app

ROOTS = Path(__file__).parent / "roots"
LIVE_SITE = ROOTS / "live-site"


def write_site(site: Path, document: Path, docname: str, environment: str | None = "sim",
               languages: tuple[str, ...] = ("ja", "en")) -> None:
    """What the extension writes for a page, without a Sphinx build."""
    blocks = read_document(document).blocks
    for language in languages:
        write_page(site / language, docname, blocks, environment, None)
        (site / language / "index.html").write_text("<html lang='%s'></html>" % language)


@asynccontextmanager
async def live_server(settings: Settings):
    app = make_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield app, f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


class Reader:
    """One browser's socket: the terminal's bytes and the JSON messages, as they come."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse):
        self.ws = ws
        self.screen = b""
        self.messages: list[dict[str, Any]] = []
        self.closed = False

    async def pump(self, timeout: float) -> None:
        try:
            message = await asyncio.wait_for(self.ws.receive(), timeout)
        except asyncio.TimeoutError:
            return
        if message.type == aiohttp.WSMsgType.BINARY:
            self.screen += message.data
        elif message.type == aiohttp.WSMsgType.TEXT:
            self.messages.append(json.loads(message.data))
        else:
            self.closed = True

    async def until(self, predicate, timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            found = predicate(self)
            if found:
                return found
            if self.closed or time.monotonic() > deadline:
                raise AssertionError(f"timed out; messages {self.messages}; "
                                     f"screen {self.screen[-2000:]!r}")
            await self.pump(max(0.01, deadline - time.monotonic()))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == kind]

    async def send(self, **message: Any) -> None:
        await self.ws.send_str(json.dumps(message))

    async def type(self, text: str) -> None:
        await self.send(type="input", data=text)
