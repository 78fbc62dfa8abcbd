"""The live page in headless Chromium, served by tutorial-runner serve: open a page, Try it,
click each command of the first transcript and see every ✓, type a command of one's own
that breaks what the page expects and see the diff, reload, switch language.

Screenshots of the live page in both languages go to _build/screenshots/.
"""
from __future__ import annotations

import asyncio
import base64
import functools
import http.server
import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.deps import chromium_reason
from tests.sphinx.cdp import Browser, find_chromium
from tutorial_runner import site as site_build
from tutorial_runner.live.server import Settings, make_app

from .conftest import LIVE_SITE

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "_build" / "screenshots"
FIRST = ".tr-transcript[data-tr-block='1']"
SECOND = ".tr-transcript[data-tr-block='2']"
q = json.dumps     # a selector as a JavaScript string


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("live-site")
    source = work / "src"        # a copy: the build writes catalogues and caches beside it
    shutil.copytree(LIVE_SITE, source)
    assert site_build.html(work / "build", ["-q"], source=source, confdir=source,
                           languages={"ja": "日本語", "en": "English"}) == 0
    return work / "build" / "html"


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    """tutorial-runner serve's application on a loopback port, in a thread of its own."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    address: dict[str, object] = {}

    async def run() -> None:
        runner = web.AppRunner(make_app(Settings(site=built, max_sessions=4)))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        address["url"] = f"http://127.0.0.1:{runner.addresses[0][1]}"
        address["runner"] = runner
        started.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(run()), loop.run_forever()),
                              daemon=True)
    thread.start()
    assert started.wait(30)
    yield str(address["url"])
    asyncio.run_coroutine_threadsafe(address["runner"].cleanup(), loop).result(30)  # type: ignore[union-attr]
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        pytest.skip(chromium_reason())
    chrome = Browser(executable, tmp_path_factory.mktemp("chromium-profile"), timeout=60)
    yield chrome
    chrome.close()


def _rows(browser: Browser, transcript: str) -> list[dict]:
    return browser.eval(f"""[...document.querySelectorAll({q(transcript + " .tr-live-input")})].map(r => ({{
        index: Number(r.dataset.index), text: r.textContent, classes: r.className,
        mark: r.querySelector('.tr-live-mark').textContent,
        bound: r.querySelector('.tr-live-bound').textContent}}))""")


def _type(browser: Browser, text: str) -> None:
    browser.eval("document.querySelector('.tr-live-pane .xterm-helper-textarea').focus()")
    browser.send("Input.insertText", text=text)
    for kind in ("keyDown", "keyUp"):
        browser.send("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                     windowsVirtualKeyCode=13, nativeVirtualKeyCode=13,
                     **({"text": "\r"} if kind == "keyDown" else {}))


def _screen(browser: Browser) -> str:
    return browser.eval("[...document.querySelectorAll('.tr-live-pane .xterm-rows > div')]"
                        ".map(d => d.textContent).join('\\n')")


def _screenshot(browser: Browser, path: Path) -> None:
    data = browser.send("Page.captureScreenshot", format="png")["data"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(data))


def _try_it(browser: Browser, transcript: str) -> None:
    browser.wait_for(f"!!document.querySelector({q(transcript + ' .tr-live-try')})")
    browser.click(f"{transcript} .tr-live-try")
    browser.wait_for("document.body.classList.contains('tr-live-ready') && "
                     "window.trLive.metrics.prompt !== undefined")
    browser.wait_for("/\\$$/.test([...document.querySelectorAll('.tr-live-pane .xterm-rows > div')]"
                     ".map(d => d.textContent.trimEnd()).filter(Boolean).pop() || '')")


def test_a_reader_follows_the_page_live_in_both_languages(served, browser):
    browser.navigate(f"{served}/ja/service.html")
    _try_it(browser, FIRST)
    assert browser.eval("document.querySelector('.tr-live-title').textContent") == "ターミナル"
    assert browser.eval("document.querySelector('.tr-live-try').textContent") == "試してみる"
    # a block the page does not run offers no Try it
    assert browser.eval("document.querySelectorAll('.tr-transcript[data-tr-skip] .tr-live-try').length") == 0
    assert browser.eval("document.querySelectorAll('.tr-live-try').length") == 2

    # each command of the first transcript, clicked in the page: every one ✓
    rows = _rows(browser, FIRST)
    assert [row["text"].split("\n")[0].strip() for row in rows] == [
        "$ kubectl apply -f nginx.yaml", "$ kubectl expose deployment my-nginx --port=80",
        "$ kubectl get svc my-nginx"]
    for row in rows:
        browser.click(f"{FIRST} .tr-live-row[data-index='{row['index']}']")
        selector = f"{FIRST} .tr-live-row[data-index='{row['index']}']"
        browser.wait_for(f"document.querySelector({q(selector)}).classList.contains('tr-live-ok')")
    rows = _rows(browser, FIRST)
    assert [row["mark"] for row in rows] == ["✓", "✓", "✓"]
    # the documented address and the live one it is bound to
    assert rows[2]["bound"].strip().startswith("10.0.162.149 → 10.")
    live_ip = rows[2]["bound"].split("→")[1].strip()
    assert live_ip != "10.0.162.149"
    # the screen shows it (xterm draws on its next frame)
    browser.wait_for(f"[...document.querySelectorAll('.tr-live-pane .xterm-rows > div')]"
                     f".some(d => d.textContent.includes({q(live_ip)}))")

    # a command of the reader's own runs unmarked; it breaks what the page expects next
    _type(browser, "kubectl delete deployment my-nginx")
    browser.wait_for("/deleted/.test([...document.querySelectorAll('.tr-live-pane .xterm-rows > div')]"
                     ".map(d => d.textContent).join('\\n'))")
    second = _rows(browser, SECOND)
    browser.click(f"{SECOND} .tr-live-row[data-index='{second[1]['index']}']")
    browser.wait_for(f"!!document.querySelector({q(SECOND + ' .tr-live-diff')})")
    diff = browser.eval(f"document.querySelector({q(SECOND + ' .tr-live-diff')}).textContent")
    assert "-my-nginx   2/2" in diff and "NotFound" in diff
    assert f"10.0.162.149 → {live_ip}" in diff
    assert _rows(browser, SECOND)[1]["mark"] == "✗"
    assert all(row["mark"] == "" for row in _rows(browser, SECOND)[:1])
    _screenshot(browser, SCREENSHOTS / "live-ja.png")

    # reload: a fresh page, and the old session is over on the server
    browser.navigate(f"{served}/ja/service.html")
    browser.wait_for("window.trLive && window.trLive.probed")
    assert browser.eval("document.querySelector('.tr-live-pane')") is None
    assert browser.eval("document.querySelectorAll('.tr-live-ok, .tr-live-failed').length") == 0
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sessions = browser.eval("fetch('/_live/status').then(r => r.json()).then(s => s.sessions)",
                                await_promise=True)
        if sessions == 0:
            break
        time.sleep(0.1)
    assert sessions == 0

    # the other language: the same page, the pane's words in English, checks as before
    browser.events.clear()
    browser.click(".tr-language-switch a[hreflang=en]")
    browser.wait_event("Page.loadEventFired")
    assert browser.eval("location.pathname") == "/en/service.html"
    _try_it(browser, FIRST)
    assert browser.eval("document.querySelector('.tr-live-title').textContent") == "Terminal"
    assert browser.eval("document.querySelector('.tr-live-status').textContent").startswith("Ready")
    browser.click(f"{FIRST} .tr-live-rest")
    browser.wait_for(f"document.querySelectorAll({q(FIRST + ' .tr-live-ok')}).length === 3")
    _screenshot(browser, SCREENSHOTS / "live-en.png")
    # Try it to a prompt, as this browser saw it
    assert browser.eval("window.trLive.metrics.prompt") > 0


def test_on_a_static_host_the_page_offers_no_live_controls(built, browser):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built))
    handler.log_message = lambda *args: None  # type: ignore[assignment]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.navigate(f"http://127.0.0.1:{server.server_address[1]}/ja/service.html")
        browser.wait_for("window.trLive && window.trLive.probed")
        assert browser.eval("document.querySelectorAll('.tr-live-try').length") == 0
        assert browser.eval("document.querySelectorAll('.tr-transcript[data-tr-block]').length") == 3
    finally:
        server.shutdown()
        server.server_close()
