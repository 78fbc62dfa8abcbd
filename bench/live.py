"""The live page (``tutorial-runner serve``) measured through its WebSocket API, on loopback.

- start: from opening the socket ("Try it") to the shell's first prompt on the screen,
  session start included (the sandbox, bash, the simulated cluster);
- mark: from the last bytes of a command's output to its check mark (the ``step``
  message), as the browser receives them;
- round trip: from clicking a page command (the ``run`` message) to its check mark, for
  one reader alone and for ``readers`` readers at once, once all of them have their prompt;
  every command must come back checked.  Each reader pauses between its clicks as a person
  reading the output does (``pause`` seconds on average, 0.5x to 1.5x, from a seeded
  random source); the same load with no pause at all (every reader clicking the next
  command the moment the last one is marked) is measured too: that is the machine's
  throughput, not a reader's experience.

Bounded: ``readers`` sockets, ``commands`` clicks each, and a time limit on the whole.
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
from pathlib import Path

from bench.stats import summary_ms

PAGE = '''\
```{tutorial-file} web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx
```

```{transcript}
$ kubectl apply -f web.yaml
deployment.apps/web created
$ kubectl expose deployment web --port=80
service/web exposed
```

```{transcript}
$ kubectl get svc web
NAME   TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE
web    ClusterIP   10.0.162.149   <none>        80/TCP    5s
$ kubectl get deployment web
NAME   READY   UP-TO-DATE   AVAILABLE   AGE
web    2/2     2            2           5s
$ echo done
done
```
'''
# the second block's commands, clicked in turn (they change nothing)
CLICKS = [(2, 0), (2, 3), (2, 6)]


class _Reader:
    def __init__(self, ws):
        self.ws = ws
        self.last_output = 0.0
        self.marks: list[float] = []       # output end -> step message, s
        self.steps: list[dict] = []

    async def next_step(self, deadline: float) -> dict:
        import aiohttp

        while True:
            message = await asyncio.wait_for(self.ws.receive(), max(0.01, deadline - time.monotonic()))
            now = time.perf_counter()
            if message.type == aiohttp.WSMsgType.BINARY:
                self.last_output = now
            elif message.type == aiohttp.WSMsgType.TEXT:
                data = json.loads(message.data)
                if data["type"] == "step":
                    self.marks.append(now - self.last_output)
                    self.steps.append(data)
                    return data
                if data["type"] in ("busy", "ended"):
                    raise RuntimeError(f"the session ended: {data}")
            else:
                raise RuntimeError("the socket closed")

    async def until_prompt(self, deadline: float) -> None:
        import aiohttp

        screen = b""
        while not screen.endswith(b"$ "):
            message = await asyncio.wait_for(self.ws.receive(), max(0.01, deadline - time.monotonic()))
            if message.type == aiohttp.WSMsgType.BINARY:
                screen += message.data
            elif message.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError("the socket closed before the prompt")


async def _reader(http, url: str, commands: int, deadline: float, pause: float = 0.0,
                  seed: int = 0, all_ready: "_Barrier | None" = None) -> dict:
    began = time.perf_counter()
    reader = _Reader(await http.ws_connect(url))
    await reader.until_prompt(deadline)
    start = time.perf_counter() - began
    await reader.ws.send_str(json.dumps({"type": "rest", "block": 1}))
    for _ in range(2):
        await reader.next_step(deadline)
    if all_ready is not None:
        await all_ready.wait()
    pauses = random.Random(seed)
    trips = []
    for n in range(commands):
        if pause:
            await asyncio.sleep(pause * pauses.uniform(0.5, 1.5))
        block, index = CLICKS[n % len(CLICKS)]
        sent = time.perf_counter()
        await reader.ws.send_str(json.dumps({"type": "run", "block": block, "index": index}))
        await reader.next_step(deadline)
        trips.append(time.perf_counter() - sent)
    await reader.ws.close()
    ok = sum(1 for s in reader.steps if s["status"] == "ok")
    return {"start": start, "trips": trips, "marks": reader.marks, "steps": len(reader.steps),
            "ok": ok}


class _Barrier:
    """Every reader has its prompt and its page set up before any of them clicks on."""

    def __init__(self, parties: int):
        self.left = parties
        self.event = asyncio.Event()

    async def wait(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.event.set()
        await self.event.wait()


async def _crowd(http, url: str, readers: int, commands: int, deadline: float,
                 pause: float) -> list[dict]:
    barrier = _Barrier(readers)
    return list(await asyncio.gather(*(
        _reader(http, url, commands, deadline, pause, seed, barrier) for seed in range(readers))))


async def _measure(readers: int, commands: int, starts: int, time_limit: float,
                   pause: float) -> dict:
    import aiohttp
    from aiohttp import web

    from tutorial_runner.document import parse_text
    from tutorial_runner.live.pages import write_page
    from tutorial_runner.live.server import Settings, make_app
    from tutorial_runner.sandbox import detect

    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        site = Path(tmp)
        blocks = parse_text(PAGE, Path("live.md")).blocks
        write_page(site / "en", "live", blocks, None, None)
        app = make_app(Settings(site=site, max_sessions=max(readers, 1)))
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/_live/ws?doc=live&lang=en&session=default"
        deadline = time.monotonic() + time_limit
        try:
            async with aiohttp.ClientSession() as http:
                singles = [await _reader(http, url, commands if i == 0 else 0, deadline, pause)
                           for i in range(starts)]
                crowd = await _crowd(http, url, readers, commands, deadline, pause)
                flood = await _crowd(http, url, readers, commands, deadline, 0.0)
        finally:
            await runner.cleanup()
    single_trips = singles[0]["trips"]
    crowd_trips = [t for r in crowd for t in r["trips"]]
    expected = (2 + commands) * readers
    single = summary_ms(single_trips)
    many = summary_ms(crowd_trips)
    no_pause = summary_ms([t for r in flood for t in r["trips"]])
    return {
        "sandbox": detect().kind,
        "readers": readers,
        "commands_per_reader": commands,
        "pause_s": pause,
        "start": summary_ms([r["start"] for r in singles]),
        "start_under_load": summary_ms([r["start"] for r in crowd]),
        "mark": summary_ms([m for r in singles + crowd for m in r["marks"]]),
        "round_trip_single": single,
        "round_trip_concurrent": many,
        "p95_ratio": None if not single["p95_ms"] else round(many["p95_ms"] / single["p95_ms"], 2),
        "round_trip_concurrent_no_pause": no_pause,
        "p95_ratio_no_pause": None if not single["p95_ms"] else
        round(no_pause["p95_ms"] / single["p95_ms"], 2),
        "checked": sum(r["steps"] for r in crowd),
        "checked_ok": sum(r["ok"] for r in crowd),
        "checked_ok_no_pause": sum(r["ok"] for r in flood),
        "expected_checks": expected,
    }


def run(readers: int = 10, commands: int = 30, starts: int = 10, time_limit: float = 300.0,
        pause: float = 1.0) -> dict:
    return asyncio.run(_measure(readers, commands, starts, time_limit, pause))


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
