"""The built site in headless Chromium: language switch, badges, copy button.

Screenshots of one page in each language go to _build/screenshots/.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tutorial_runner import site
from tutorial_runner.sphinx import verify

from tests.deps import chromium_reason

from .cdp import Browser, find_chromium
from .fake_engine import FakeEngine

ROOT = Path(__file__).resolve().parents[2]
SITE_ROOT = Path(__file__).parent / "roots" / "test-site"
SCREENSHOTS = ROOT / "_build" / "screenshots"
PAGE = "tour/services.html"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import shutil

    work = tmp_path_factory.mktemp("site")
    source = work / "src"
    shutil.copytree(SITE_ROOT, source)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(verify, "engine_module", lambda: FakeEngine())
        assert site.html(work / "build", ["-q"], source=source, confdir=source,
                         languages={"ja": "日本語", "en": "English"}) == 0
    handler = functools.partial(QuietHandler, directory=str(work / "build" / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        pytest.skip(chromium_reason())
    chrome = Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    yield chrome
    chrome.close()


def test_language_switch_goes_to_the_same_page_both_ways(served_site, browser):
    browser.navigate(f"{served_site}/ja/{PAGE}")
    assert browser.eval("document.documentElement.lang") == "ja"
    assert browser.eval("document.querySelector('h1').textContent").startswith("Service を作る")
    browser.screenshot(SCREENSHOTS / "ja-services.png")

    browser.events.clear()
    browser.click(".tr-language-switch a[hreflang=en]")
    browser.wait_event("Page.loadEventFired")
    assert browser.eval("location.pathname") == f"/en/{PAGE}"
    assert browser.eval("document.documentElement.lang") == "en"
    assert browser.eval("document.querySelector('h1').textContent").startswith("Creating a Service")
    browser.screenshot(SCREENSHOTS / "en-services.png")

    browser.events.clear()
    browser.click(".tr-language-switch a[hreflang=ja]")
    browser.wait_event("Page.loadEventFired")
    assert browser.eval("location.pathname") == f"/ja/{PAGE}"


@pytest.mark.parametrize("accept, expected", [("ja", "ja"), ("en-US,en", "en"), ("fr", "en")])
def test_root_index_sends_a_reader_to_their_language(served_site, browser, accept, expected):
    agent = browser.eval("navigator.userAgent")
    browser.send("Emulation.setUserAgentOverride", userAgent=agent, acceptLanguage=accept)
    try:
        browser.navigate(f"{served_site}/index.html")
        browser.wait_for(f"location.pathname === '/{expected}/index.html'"
                         " && document.readyState === 'complete'")
        assert browser.eval("document.documentElement.lang") == expected
    finally:
        browser.send("Emulation.setUserAgentOverride", userAgent=agent, acceptLanguage="")


@pytest.mark.parametrize("language, words", [
    ("ja", ["検証済み", "既知の差異", "実行しない"]),
    ("en", ["Verified", "Known drift", "Not run"]),
])
def test_badges_are_visible_in_each_language(served_site, browser, language, words):
    browser.navigate(f"{served_site}/{language}/{PAGE}")
    labels = browser.eval("""[...document.querySelectorAll('.tr-badge')]
        .filter(b => b.getClientRects().length && b.offsetHeight > 0)
        .map(b => b.querySelector('.tr-badge-label').textContent)""")
    assert labels == words
    reasons = browser.eval("[...document.querySelectorAll('.tr-badge-detail')].map(d => d.textContent)")
    if language == "en":
        assert "kubectl run creates a Pod since v1.18" in reasons
    # the live output of a drift sits in a closed panel that opens
    assert browser.eval("document.querySelector('details.tr-live').open") is False
    browser.click("details.tr-live summary")
    assert browser.eval("document.querySelector('details.tr-live').open") is True


def test_copy_button_copies_the_commands_only(served_site, browser):
    browser.navigate(f"{served_site}/en/{PAGE}")
    origin = served_site
    browser.send("Browser.grantPermissions", origin=origin,
                 permissions=["clipboardReadWrite", "clipboardSanitizedWrite"])
    # the clipboard answers a focused document only; under load a headless tab may not be
    # the focused one, so it is told to behave as focused
    browser.send("Emulation.setFocusEmulationEnabled", enabled=True)
    browser.eval("navigator.clipboard.writeText('')", await_promise=True)
    browser.eval("document.querySelector('.tr-transcript').scrollIntoView({block: 'center'})")
    # the button shows on hover
    browser.click(".tr-transcript div.highlight")
    browser.click(".tr-transcript button.copybtn")
    copied = browser.eval("navigator.clipboard.readText()", await_promise=True)
    assert copied == ("kubectl apply -f ./run-my-nginx.yaml\n"
                      "kubectl get pods -l run=my-nginx")


def test_prompts_cannot_be_selected(served_site, browser):
    browser.navigate(f"{served_site}/en/{PAGE}")
    assert browser.eval(
        "getComputedStyle(document.querySelector('.tr-transcript .gp')).userSelect") == "none"
