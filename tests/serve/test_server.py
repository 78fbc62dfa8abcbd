"""tutorial-runner serve without a browser: the WebSocket API, the checks and the limits."""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time

import aiohttp
import pytest

from tests.deps import needs_bwrap
from tutorial_runner.live.server import LIVE, TRY_AGAIN_LATER, Settings
from tutorial_runner.live.terminal import Limits

from .conftest import LIVE_SITE, Reader, live_server, write_site

SOCKET = "/_live/ws?doc=service&lang=ja&session=default"


@pytest.fixture
def site(tmp_path):
    write_site(tmp_path / "site", LIVE_SITE / "service.md", "service")
    return tmp_path / "site"


def _run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


async def _open(http: aiohttp.ClientSession, url: str) -> Reader:
    reader = Reader(await http.ws_connect(url + SOCKET))
    await reader.until(lambda r: r.of("ready") and r.screen.endswith(b"$ "))
    return reader


def _steps(reader: Reader) -> list[tuple[int, int, str]]:
    return [(m["block"], m["index"], m["status"]) for m in reader.of("step")]


def test_page_commands_are_checked_and_the_reader_s_own_run_unmarked(site):
    async def scenario():
        async with live_server(Settings(site=site)) as (app, url), aiohttp.ClientSession() as http:
            reader = await _open(http, url)
            ready = reader.of("ready")[0]
            assert [(i["block"], i["index"]) for i in ready["inputs"]] == [
                (1, 0), (1, 2), (1, 4), (2, 0), (2, 2)]
            await reader.send(type="rest", block=1)
            await reader.until(lambda r: len(r.of("step")) == 3)
            assert _steps(reader) == [(1, 0, "ok"), (1, 2, "ok"), (1, 4, "ok")]
            bound = reader.of("step")[2]["bound"]
            assert list(bound) == ["10.0.162.149"] and bound["10.0.162.149"] != "10.0.162.149"
            # the file of the page was there before its command ran
            assert b"deployment.apps/my-nginx created" in reader.screen

            # the reader's own command runs, unmarked; the next page command typed by hand
            # (it names no documented value) counts as that command
            await reader.type("echo own-$((6*7))\r")
            await reader.until(lambda r: b"own-42" in r.screen and r.screen.endswith(b"$ "))
            await reader.type("""kubectl get svc my-nginx -o jsonpath='{.spec.clusterIP}{"\\n"}'\r""")
            await reader.until(lambda r: len(r.of("step")) == 4)
            assert _steps(reader)[3] == (2, 0, "ok")
            assert bound["10.0.162.149"].encode() in reader.screen

            # the reader breaks the state, then runs a page command: the diff, and the bindings
            await reader.type("kubectl delete deployment my-nginx\r")
            await reader.until(lambda r: b"deleted" in r.screen and r.screen.endswith(b"$ "))
            await reader.send(type="run", block=2, index=2)
            await reader.until(lambda r: len(r.of("step")) == 5)
            failed = reader.of("step")[4]
            assert failed["status"] == "failed"
            assert "-my-nginx   2/2     2            2           1m" in failed["diff"]
            assert any("NotFound" in row for row in failed["diff"] if row.startswith("+"))
            assert failed["bindings"] == bound
            # running it marks it before it ends
            assert {"type": "running", "block": 2, "index": 2} in reader.messages
            await reader.ws.close()

    _run(scenario())


def test_reset_gives_a_fresh_cluster(site):
    async def scenario():
        async with live_server(Settings(site=site)) as (app, url), aiohttp.ClientSession() as http:
            reader = await _open(http, url)
            await reader.send(type="run", block=1, index=0)
            await reader.until(lambda r: r.of("step"))
            await reader.send(type="reset")
            await reader.until(lambda r: len(r.of("ready")) == 2 and r.screen.endswith(b"$ "))
            assert reader.of("reset")
            await reader.type("kubectl get deployments\r")
            await reader.until(lambda r: b"No resources found" in r.screen)
            # the page starts over: its first command counts again
            await reader.send(type="run", block=1, index=0)
            await reader.until(lambda r: len(r.of("step")) == 2)
            assert _steps(reader)[1] == (1, 0, "ok")
            await reader.ws.close()

    _run(scenario())


def test_past_the_cap_a_reader_is_told_to_try_again(site):
    async def scenario():
        async with live_server(Settings(site=site, max_sessions=1)) as (app, url), \
                aiohttp.ClientSession() as http:
            first = await _open(http, url)
            second = Reader(await http.ws_connect(url + SOCKET))
            await second.until(lambda r: r.closed)
            assert second.of("busy") and second.ws.close_code == TRY_AGAIN_LATER
            async with http.get(url + SOCKET) as page:
                assert page.status == 503 and page.headers["Retry-After"]
                body = await page.text()
                assert "try again" in body and "もう一度" in body
            async with http.get(url + "/_live/status") as status:
                assert await status.json() == {"live": True, "sessions": 1, "max": 1}
            await first.ws.close()
            # the slot is free again once the first reader has gone
            deadline = time.monotonic() + 10
            while app[LIVE].active and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            third = await _open(http, url)
            await third.ws.close()

    _run(scenario())


def _alive(pids: list[int]) -> list[int]:
    found = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                if handle.read().rsplit(b")", 1)[-1].split()[0] != b"Z":
                    found.append(pid)
        except OSError:
            pass
    return found


async def _session_pids(app, reader: Reader) -> list[int]:
    await reader.type("sleep 1000 &\r")
    await reader.until(lambda r: r.screen.rstrip().endswith(b"$"))
    (connection,) = app[LIVE].active
    pids = connection.shell.pids()
    assert len(pids) >= 3        # the sandbox, bash, the cluster, sleep
    return pids


async def _gone(pids: list[int], timeout: float = 10.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while _alive(pids) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return _alive(pids)


def test_closing_the_socket_ends_the_session_and_its_processes(site):
    async def scenario():
        async with live_server(Settings(site=site)) as (app, url), aiohttp.ClientSession() as http:
            reader = await _open(http, url)
            pids = await _session_pids(app, reader)
            await reader.ws.close()
            assert await _gone(pids) == []
            assert not app[LIVE].active

    _run(scenario())


def test_an_idle_session_ends_and_its_processes_with_it(site):
    limits = dataclasses.replace(Limits(), idle_seconds=1.5)

    async def scenario():
        async with live_server(Settings(site=site, limits=limits)) as (app, url), \
                aiohttp.ClientSession() as http:
            reader = await _open(http, url)
            before_last_input = time.monotonic()
            pids = await _session_pids(app, reader)
            await reader.until(lambda r: r.of("ended"), timeout=15)
            assert reader.of("ended")[0]["reason"] == "idle"
            assert time.monotonic() - before_last_input >= 1.5
            assert await _gone(pids) == []
            await reader.until(lambda r: r.closed)

    _run(scenario())


def test_a_session_past_its_time_limit_ends(site):
    # idle after 1.2 s without a key, whole life 2 s: the reader types for the first 1.6 s,
    # so only the time limit can end it (typing into a socket the server is closing could
    # lose the messages already queued in the client, so the reader stops first)
    limits = dataclasses.replace(Limits(), wall_seconds=2.0, idle_seconds=1.2)

    async def scenario():
        async with live_server(Settings(site=site, limits=limits)) as (app, url), \
                aiohttp.ClientSession() as http:
            reader = await _open(http, url)
            stop_typing = time.monotonic() + 1.6
            while time.monotonic() < stop_typing and not reader.of("ended"):
                await reader.type("\r")
                pause = min(stop_typing, time.monotonic() + 0.3)
                while time.monotonic() < pause and not reader.closed:
                    await reader.pump(max(0.01, pause - time.monotonic()))
            assert not reader.of("ended")        # input kept it from idling
            await reader.until(lambda r: r.of("ended"), timeout=10)
            assert reader.of("ended")[0]["reason"] == "time"

    _run(scenario())


def _after_echo(screen: bytes, typed_end: bytes, wanted: bytes) -> bool:
    """Whether ``wanted`` is on the screen after the terminal's echo of a typed line that
    ends with ``typed_end`` (an echo not yet complete has nothing after it)."""
    return typed_end in screen and wanted in screen.split(typed_end)[-1]


@needs_bwrap
def test_the_session_has_its_limits_and_nothing_outside_the_sandbox(site):
    async def scenario():
        async with live_server(Settings(site=site)) as (app, url), aiohttp.ClientSession() as http:
            reader = await _open(http, url)
            port = url.rsplit(":", 1)[1]
            await reader.type(f"(echo > /dev/tcp/127.0.0.1/{port}) 2>/dev/null && echo REACHED "
                              "|| echo NO-SERVER\r")
            await reader.until(lambda r: _after_echo(r.screen, b"echo NO-SERVER", b"NO-SERVER\r\n")
                               or _after_echo(r.screen, b"echo NO-SERVER", b"REACHED\r\n"))
            assert not _after_echo(reader.screen, b"echo NO-SERVER", b"REACHED\r\n")
            await reader.type(f"test -e {site} && echo SITE-SEEN || echo SITE-HIDDEN\r")
            await reader.until(lambda r: _after_echo(r.screen, b"echo SITE-HIDDEN", b"SITE-"))
            assert _after_echo(reader.screen, b"echo SITE-HIDDEN", b"SITE-HIDDEN\r\n")
            limits = Limits()
            await reader.type("echo $(ulimit -v) $(cat /proc/sys/kernel/pid_max)\r")
            expected = f"{limits.memory // 1024} {limits.processes}".encode()
            await reader.until(lambda r: expected + b"\r\n" in r.screen)
            await reader.ws.close()

    _run(scenario())


def test_the_site_is_served_and_nothing_outside_it(site):
    async def scenario():
        async with live_server(Settings(site=site)) as (app, url), aiohttp.ClientSession() as http:
            async with http.get(url + "/ja/") as page:
                assert page.status == 200 and "lang='ja'" in await page.text()
            async with http.get(url + "/ja") as page:
                assert str(page.url).endswith("/ja/")
            async with http.get(url + "/ja/_tutorial_runner/service.json") as page:
                assert (await page.json())["docname"] == "service"
            async with http.get(url + "/_live/static/xterm/xterm.js") as script:
                assert script.status == 200
            async with http.get(url + "/%2e%2e/%2e%2e/etc/passwd") as escape:
                assert escape.status == 404
            for bad in ("doc=../x&lang=ja", "doc=service&lang=..", "doc=service&lang=ja&session=nope"):
                ws = await http.ws_connect(f"{url}/_live/ws?{bad}")
                reader = Reader(ws)
                await reader.until(lambda r: r.closed)
                assert reader.of("ended")[0]["reason"] == "failed-start"
            assert not app[LIVE].active

    _run(scenario())


def test_another_site_in_the_reader_s_browser_cannot_open_a_session(site):
    async def scenario():
        async with live_server(Settings(site=site)) as (app, url), aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(url + SOCKET, origin="http://example.org")
            assert refused.value.status == 403
            reader = Reader(await http.ws_connect(url + SOCKET, origin=url))
            await reader.until(lambda r: r.of("ready"))
            await reader.ws.close()

    _run(scenario())


HIDDEN_PAGE = '''
```{transcript}
:hide:
$ kubectl create deployment hidden-web --image=nginx
deployment.apps/hidden-web created
```

```{transcript}
$ kubectl get deployments -o name
deployment.apps/hidden-web
```
'''


def test_a_set_up_block_the_page_hides_runs_by_itself(tmp_path):
    document = tmp_path / "hidden.md"
    document.write_text(HIDDEN_PAGE)
    write_site(tmp_path / "site", document, "hidden")

    async def scenario():
        async with live_server(Settings(site=tmp_path / "site")) as (app, url), \
                aiohttp.ClientSession() as http:
            reader = Reader(await http.ws_connect(url + "/_live/ws?doc=hidden&lang=en&session=default"))
            await reader.until(lambda r: r.of("step"))
            assert _steps(reader) == [(0, 0, "ok")]
            await reader.send(type="run", block=1, index=0)
            await reader.until(lambda r: len(r.of("step")) == 2)
            assert _steps(reader)[1] == (1, 0, "ok")
            await reader.ws.close()

    _run(scenario())


INTERACTIVE_PAGE = '''
```{transcript}
$ kubectl run curl --image=radial/busyboxplus:curl -i --tty
All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.
If you don't see a command prompt, try pressing enter.
[ root@curl:/ ]$ nslookup kubernetes
Server:    10.96.0.10
Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local

Name:      kubernetes
Address 1: 10.96.0.1 kubernetes.default.svc.cluster.local
[ root@curl:/ ]$ exit
Session ended, resume using 'kubectl attach curl -c curl -i -t' command when the pod is running
```
'''


def test_lines_typed_to_a_program_are_sent_to_it_and_the_whole_exchange_is_checked(tmp_path):
    document = tmp_path / "interactive.md"
    document.write_text(INTERACTIVE_PAGE)
    write_site(tmp_path / "site", document, "interactive")

    async def scenario():
        async with live_server(Settings(site=tmp_path / "site")) as (app, url), \
                aiohttp.ClientSession() as http:
            reader = Reader(await http.ws_connect(url + "/_live/ws?doc=interactive&lang=en&session=default"))
            await reader.until(lambda r: r.of("ready") and r.screen.endswith(b"$ "))
            await reader.send(type="run", block=0, index=0)
            await reader.until(lambda r: r.screen.endswith(b"[ root@curl:/ ]$ "))
            # Enter from a browser's terminal is a carriage return, in the program's raw mode too
            await reader.send(type="run", block=0, index=3)
            await reader.until(lambda r: b"kubernetes.default.svc" in r.screen
                               and r.screen.endswith(b"[ root@curl:/ ]$ "))
            assert not reader.of("step")          # the program still runs: nothing to mark
            await reader.send(type="run", block=0, index=9)
            await reader.until(lambda r: r.of("step"))
            assert _steps(reader) == [(0, 0, "ok")], reader.of("step")
            await reader.ws.close()

    _run(scenario())


def test_run_the_rest_answers_the_program_s_prompts_as_the_page_does(tmp_path):
    document = tmp_path / "interactive.md"
    document.write_text(INTERACTIVE_PAGE)
    write_site(tmp_path / "site", document, "interactive")

    async def scenario():
        async with live_server(Settings(site=tmp_path / "site")) as (app, url), \
                aiohttp.ClientSession() as http:
            reader = Reader(await http.ws_connect(url + "/_live/ws?doc=interactive&lang=en&session=default"))
            await reader.until(lambda r: r.of("ready") and r.screen.endswith(b"$ "))
            await reader.send(type="rest", block=0)
            await reader.until(lambda r: r.of("step"))
            assert _steps(reader) == [(0, 0, "ok")], reader.of("step")
            assert b"[ root@curl:/ ]$ nslookup kubernetes\r\n" in reader.screen
            assert b"[ root@curl:/ ]$ exit\r\n" in reader.screen
            await reader.ws.close()

    _run(scenario())


SETUP_BETWEEN = '''
```{transcript}
$ echo first
first
```

```{transcript}
:hide:
$ kubectl create deployment set-up --image=nginx
deployment.apps/set-up created
```

```{transcript}
$ kubectl get deployments -o name
deployment.apps/set-up
```
'''


def test_a_hidden_set_up_runs_before_any_later_command_the_reader_clicks(tmp_path):
    document = tmp_path / "between.md"
    document.write_text(SETUP_BETWEEN)
    write_site(tmp_path / "site", document, "between")

    async def scenario():
        async with live_server(Settings(site=tmp_path / "site")) as (app, url), \
                aiohttp.ClientSession() as http:
            reader = Reader(await http.ws_connect(url + "/_live/ws?doc=between&lang=en&session=default"))
            await reader.until(lambda r: r.of("ready") and r.screen.endswith(b"$ "))
            # the reader skips the first block: the set-up still runs before the third
            await reader.send(type="run", block=2, index=0)
            await reader.until(lambda r: len(r.of("step")) == 2)
            assert _steps(reader) == [(1, 0, "ok"), (2, 0, "ok")]
            # clicking the hidden block's command (the page never shows it) does nothing
            await reader.send(type="rest", block=1)
            await reader.send(type="run", block=0, index=0)
            await reader.until(lambda r: len(r.of("step")) == 3)
            assert _steps(reader)[2] == (0, 0, "ok")
            assert reader.screen.count(b"kubectl create deployment set-up") == 1
            await reader.ws.close()

    _run(scenario())
