"""Per-command latency through the runner, split into the runner's share and the command's.

Each measured command is typed by the engine (``run_session``) from a transcript, as a
page would have it, and its output matched against what it printed in a first pass.
Just before each typed command, the same command is run once more in the same shell,
framed by bash's own clock (``$EPOCHREALTIME``): that is the command's own time. The
runner's share of a step is the step's wall time (from before typing until its output has
been matched) minus the command's own time measured next to it.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.stats import summary_ms

SHELL_COMMANDS = ["true", "echo hello", "printf 'a\\nb\\nc\\n'", "ls -a", "seq 1 100"]

KUBECTL_SETUP = ["kubectl apply -f web.yaml", "kubectl rollout status deployment/web"]
KUBECTL_COMMANDS = [
    "kubectl get pods",
    "kubectl get svc web",
    "kubectl get endpoints web",
    "kubectl describe svc web",
    "kubectl get nodes -o wide",
    "kubectl get deployment web -o yaml",
    "kubectl apply -f web.yaml",
]

WEB_MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
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
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
"""

_FRAME = "@bench-own"


def _fence(directive: str, body: list[str], argument: str = "") -> list[str]:
    head = "```{" + directive + "}" + (f" {argument}" if argument else "")
    return [head, ":session: bench", *body, "```", ""]


def document_text(setup: list[str], commands: list[str], repeat: int,
                  outputs: dict[str, list[str]] | None, files: dict[str, str]) -> str:
    """A page: the files, an unmeasured setup transcript, then each command ``repeat`` times
    (expected output: what the first pass printed, else ``...``)."""
    lines = ["# bench", ""]
    for name, text in files.items():
        lines += _fence("tutorial-file", text.rstrip("\n").split("\n"), name)
    if setup:
        lines += _fence("transcript", [line for command in setup for line in (f"$ {command}", "...")])
    body = []
    for _ in range(repeat):
        for command in commands:
            expected = (outputs or {}).get(command) or ["..."]
            body += [f"$ {command}", *expected]
    lines += _fence("transcript", body)
    return "\n".join(lines)


class _Timer:
    """Engine hooks: the command's own time just before each step, then the step's wall time."""

    def __init__(self, measured_line: int, own: bool):
        self.measured_line = measured_line
        self.own = own
        self.active = False
        self.samples: list[tuple[str, float, float | None, bool, list[str]]] = []
        self._begin = 0.0
        self._own: float | None = None

    def block_started(self, block) -> None:
        self.active = block.kind == "transcript" and block.line >= self.measured_line

    def before_input(self, block, documented: str, typed: str, shell) -> None:
        self._own = None
        if self.active and self.own:
            self._own = own_time(shell, typed)
        self._begin = time.perf_counter()

    def step_done(self, block, step) -> None:
        if self.active:
            self.samples.append((step.command, time.perf_counter() - self._begin, self._own,
                                 step.ok, list(step.live)))


def own_time(shell, command: str) -> float | None:
    """``command`` run once in ``shell``, timed by bash itself (its output still goes to the
    terminal, as in the measured run)."""
    framed = (f'__bs=$EPOCHREALTIME; {command}; __be=$EPOCHREALTIME; '
              f'printf "\\n{_FRAME} %s %s\\n" "$__bs" "$__be"')
    out = shell.run(framed, timeout=30)
    for line in reversed(out.text.splitlines()):
        if line.startswith(_FRAME + " "):
            begin, end = line.split()[1:3]
            return float(end) - float(begin)
    return None


def _run(environment, text: str, measured_line: int, sandbox: str, own: bool) -> tuple[_Timer, object]:
    from tutorial_runner.document import parse_text
    from tutorial_runner.engine import run_session

    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        document = parse_text(text, str(Path(tmp) / "bench.md"))
    timer = _Timer(measured_line, own)
    result = run_session(document.sessions[0], environment, sandbox=sandbox, hooks=timer)
    return timer, result


def _measured_line(text: str) -> int:
    """The line of the last fence: the measured transcript."""
    lines = text.split("\n")
    return max(i for i, line in enumerate(lines, 1) if line.startswith("```{transcript}"))


def measure(environment, commands: list[str], repeat: int, sandbox: str = "auto",
            setup: list[str] = (), files: dict[str, str] | None = None) -> dict:
    """Median and p95 of each command's step through the runner, its own time and the
    runner's share; ``environment`` is a runner environment (``plain`` or ``sim``)."""
    files = files or {}
    probe = document_text(list(setup), commands, 1, None, files)
    timer, _ = _run(environment, probe, _measured_line(probe), sandbox, own=False)
    outputs = {command: live or [] for command, _, _, _, live in timer.samples}
    text = document_text(list(setup), commands, repeat, outputs, files)
    timer, result = _run(environment, text, _measured_line(text), sandbox, own=True)
    rows = {}
    for command in commands:
        mine = [s for s in timer.samples if s[0] == command]
        total = [s[1] for s in mine]
        own = [s[2] for s in mine if s[2] is not None]
        overhead = [s[1] - s[2] for s in mine if s[2] is not None]
        rows[command] = {
            "total": summary_ms(total),
            "own": summary_ms(own),
            "overhead": summary_ms(overhead),
            "overhead_of_medians_ms": (round((statistics.median(total) - statistics.median(own)) * 1000, 3)
                                       if total and own else None),
            "matched": sum(1 for s in mine if s[3]),
        }
    errors = [b.message for b in result.blocks if b.status == "error"]
    return {"environment": environment.name, "repeat": repeat, "commands": rows,
            "errors": errors}


def overall(rows: dict, part: str) -> dict:
    """Median over the commands of each one's median (part: total, own or overhead)."""
    medians = [row[part]["median_ms"] for row in rows.values() if row[part]["median_ms"] is not None]
    return {"median_of_medians_ms": round(statistics.median(medians), 3) if medians else None}


def run(repeat: int = 40, sandbox: str = "auto") -> dict:
    from sim.environment import SimEnvironment
    from tutorial_runner.environment import PlainEnvironment
    from tutorial_runner.sandbox import choose

    shell = measure(PlainEnvironment(), SHELL_COMMANDS, repeat, sandbox)
    kubectl = measure(SimEnvironment(), KUBECTL_COMMANDS, repeat, sandbox,
                      setup=KUBECTL_SETUP, files={"web.yaml": WEB_MANIFEST})
    kube_own = [row["own"]["median_ms"] for row in kubectl["commands"].values()]
    return {
        "sandbox": choose(sandbox).kind,
        "shell": shell,
        "kubectl": kubectl,
        "kubectl_round_trip_median_ms": round(statistics.median(kube_own), 3) if kube_own else None,
        "runner_overhead_median_ms": {
            "shell": overall(shell["commands"], "overhead")["median_of_medians_ms"],
            "kubectl": overall(kubectl["commands"], "overhead")["median_of_medians_ms"],
        },
    }
