"""The same 100-command transcript replayed by ``tutorial-runner check`` and by prysk.

Two transcripts: 100 ``echo``s (no cluster: the ``plain`` environment) and 100 typical
commands against the simulated cluster (``kubectl`` with a few shell commands). The cram
file is generated from the transcript (a ``tutorial-file`` becomes a heredoc); prysk runs
it with bash and the session's PATH (the shims), against a cluster started the way a
session starts one, and stopped after; both runs are timed from a fresh interpreter to the
end. Runs alternate (ours, prysk, ours, …) so that a change in the machine's load falls on
both alike.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.latency import KUBECTL_COMMANDS, WEB_MANIFEST, _Timer, _run, document_text, _measured_line
from bench.runner_overhead import _timed
from bench.stats import summary_ms, summary_s

ROOT = Path(__file__).resolve().parent.parent
BASE_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"


def echo_commands(count: int) -> list[str]:
    return [f"echo hi{i}" for i in range(count)]


def kubectl_commands(count: int) -> list[str]:
    """Setup, then the typical commands in turn with a few shell ones: ``count`` in all."""
    cycle = KUBECTL_COMMANDS + ["ls", "cat web.yaml", "echo done"]
    commands = ["kubectl apply -f web.yaml", "kubectl rollout status deployment/web"]
    i = 0
    while len(commands) < count:
        commands.append(cycle[i % len(cycle)])
        i += 1
    return commands[:count]


def _outputs(environment, commands: list[str], files: dict[str, str]) -> list[list[str]]:
    """What each command prints, in order, from one run through the engine."""
    text = document_text([], commands, 1, None, files)
    timer, _ = _run(environment, text, _measured_line(text), "off", own=False)
    return [live for _, _, _, _, live in timer.samples]


def markdown(commands: list[str], outputs: list[list[str]], files: dict[str, str]) -> str:
    lines = ["# bench", ""]
    for name, text in files.items():
        lines += ["```{tutorial-file} " + name, *text.rstrip("\n").split("\n"), "```", ""]
    lines.append("```{transcript}")
    for command, output in zip(commands, outputs):
        lines += [f"$ {command}", *output]
    lines += ["```", ""]
    return "\n".join(lines)


def _cram_line(line: str) -> str:
    """An output line as cram wants it: bytes it cannot show as they are get ``(esc)``."""
    if any(ord(c) < 32 and c != "\t" for c in line) or line.endswith(" "):
        return line.encode("unicode_escape").decode("ascii") + " (esc)"
    return line


def cram(commands: list[str], outputs: list[list[str]], files: dict[str, str]) -> str:
    lines = []
    for name, text in files.items():
        lines.append(f"  $ cat > {shlex.quote(name)} <<'EOF'")
        lines += [f"  > {line}" for line in text.rstrip("\n").split("\n")]
        lines.append("  > EOF")
    for command, output in zip(commands, outputs):
        lines.append(f"  $ {command}")
        lines += [f"  {_cram_line(line)}" if line else "" for line in output]
    return "\n".join(lines) + "\n"


class _Cluster:
    """A simulated cluster as a session gets one (prysk's commands reach it on PATH)."""

    def __init__(self, root: Path):
        from sim.environment import SimEnvironment

        (root / "state").mkdir()
        (root / "work").mkdir(exist_ok=True)
        self.spec = SimEnvironment().prepare(root / "work", root / "state", None)
        self.env = dict(os.environ)
        self.env.update(self.spec.env)
        self.env["PATH"] = self.spec.env["PATH"] + os.pathsep + BASE_PATH

    def start(self) -> None:
        subprocess.run(self.spec.start, env=self.env, check=True, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        subprocess.run(self.spec.stop, env=self.env, check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


def _prysk() -> str | None:
    found = Path(sys.executable).with_name("prysk")
    return str(found) if found.exists() else shutil.which("prysk")


def _status(argv: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    begin = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - begin, done.returncode


def compare(kind: str, count: int, repeat: int) -> dict:
    """One transcript (``kind``: "echo" or "kubectl") by both tools, ``repeat`` times each."""
    from sim.environment import SimEnvironment
    from tutorial_runner.environment import PlainEnvironment

    prysk = _prysk()
    if kind == "echo":
        environment, commands, files = PlainEnvironment(), echo_commands(count), {}
    else:
        environment, commands, files = SimEnvironment(), kubectl_commands(count), {"web.yaml": WEB_MANIFEST}
    outputs = _outputs(environment, commands, files)
    work = Path(tempfile.mkdtemp(prefix="bench-prysk-"))
    try:
        (work / "doc.md").write_text(markdown(commands, outputs, files))
        (work / "doc.t").write_text(cram(commands, outputs, files))
        ours_argv = [sys.executable, "-m", "tutorial_runner", "check", "doc.md", "--environment",
                     environment.name, "--no-cache"]
        result: dict = {"commands": len(commands), "environment": environment.name,
                        "prysk_shell": "/bin/bash"}
        runs: dict[str, list[float]] = {"ours_no_sandbox": [], "ours_sandbox": [], "prysk": []}
        status: dict[str, int] = {}
        for _ in range(repeat):
            for label, extra in (("ours_no_sandbox", ["--sandbox", "off"]), ("ours_sandbox", [])):
                seconds, code = _status(ours_argv + extra, work)
                runs[label].append(seconds)
                status[label] = code
            if prysk:
                seconds, code = _prysk_run(prysk, kind, work)
                runs["prysk"].append(seconds)
                status["prysk"] = code
        result.update({label: summary_s(values) for label, values in runs.items()})
        result["exit_status"] = status
        if runs["prysk"]:
            prysk_median = statistics.median(runs["prysk"])
            for label in ("ours_no_sandbox", "ours_sandbox"):
                result[f"ratio_{label}"] = round(statistics.median(runs[label]) / prysk_median, 3)
            result["ratio"] = result["ratio_ours_no_sandbox"]
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _prysk_run(prysk: str, kind: str, work: Path) -> tuple[float, int]:
    """prysk on doc.t, with the cluster's start and stop in the time as a session has them."""
    argv = [prysk, "-q", "--shell", "/bin/bash", "doc.t"]
    if kind == "echo":
        env = dict(os.environ, PATH=BASE_PATH)
        return _status(argv, work, env)
    root = Path(tempfile.mkdtemp(prefix="bench-prysk-cluster-"))
    try:
        begin = time.perf_counter()
        cluster = _Cluster(root)
        cluster.start()
        try:
            _, code = _status(argv, work, cluster.env)
        finally:
            cluster.stop()
        return time.perf_counter() - begin, code
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- where our time goes ---------------------------------------------------------------------

_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")

# The phases of `check` in a fresh interpreter, as `tutorial-runner check` goes through them.
_PHASES = """
import json, sys, time
t0 = time.perf_counter()
import tutorial_runner.cli
t1 = time.perf_counter()
from tutorial_runner.document import read_document
document = read_document(sys.argv[1])
t2 = time.perf_counter()
from tutorial_runner.engine import run_session
from tutorial_runner.environment import load_environment
environment = load_environment("plain")
t3 = time.perf_counter()
run_session(document.sessions[0], environment, sandbox="off")
t4 = time.perf_counter()
print(json.dumps({"import_cli": t1 - t0, "read_document_first": t2 - t1,
                  "load_environment": t3 - t2, "session": t4 - t3}))
"""


# What `check` would cost without docutils and myst-parser: the same session, the blocks
# read by a plain scan of the fences (enough for this document only; a measure of the
# parser's share, not a reader).
_WITHOUT_PARSER = """
import sys
from pathlib import Path
from tutorial_runner.model import Block, Document
from tutorial_runner.engine import run_session
from tutorial_runner.environment import load_environment
path = Path(sys.argv[1])
lines = path.read_text().split("\\n")
start = next(i for i, line in enumerate(lines) if line.startswith("```{transcript}"))
end = next(i for i in range(start + 1, len(lines)) if lines[i] == "```")
block = Block("transcript", path, start + 1, tuple(lines[start + 1:end]), start + 2)
result = run_session(Document(path, [block]).sessions[0], load_environment("plain"), sandbox="off")
sys.exit(0 if result.ok else 1)
"""


def import_self_times(argv: list[str], cwd: Path) -> dict[str, float]:
    """Import time (ms) spent in each top-level package's own modules (-X importtime, self)."""
    done = subprocess.run([sys.executable, "-X", "importtime", *argv], cwd=cwd, check=False,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    totals: dict[str, float] = {}
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            package = match.group(4).split(".")[0]
            totals[package] = totals.get(package, 0.0) + int(match.group(1)) / 1000
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def breakdown(count: int, repeat: int) -> dict:
    """Where the time of `check` on ``count`` echos goes, each phase timed in a fresh
    interpreter: start, importing the runner, reading the document (myst-parser is imported
    there), the session; and what prysk costs with nothing to run."""
    work = Path(tempfile.mkdtemp(prefix="bench-breakdown-"))
    try:
        commands = echo_commands(count)
        outputs = [[f"hi{i}"] for i in range(count)]
        (work / "doc.md").write_text(markdown(commands, outputs, {}))
        (work / "empty.t").write_text("")
        check = ["-m", "tutorial_runner", "check", "doc.md", "--environment", "plain",
                 "--no-cache", "--sandbox", "off"]
        interpreter = [_timed([sys.executable, "-c", "pass"], work) for _ in range(repeat)]
        phases: dict[str, list[float]] = {}
        for _ in range(repeat):
            done = subprocess.run([sys.executable, "-c", _PHASES, "doc.md"], cwd=work, check=True,
                                  capture_output=True, text=True)
            for name, seconds in json.loads(done.stdout).items():
                phases.setdefault(name, []).append(seconds)
        whole, without_parser, verified = [], [], True
        for _ in range(repeat):
            whole.append(_timed([sys.executable, *check], work))
            seconds, code = _status([sys.executable, "-c", _WITHOUT_PARSER, "doc.md"], work)
            without_parser.append(seconds)
            verified = verified and code == 0
        by_package = import_self_times(check, work)
        prysk = _prysk()
        prysk_start = [_timed([prysk, "-q", "--shell", "/bin/bash", "empty.t"], work)
                       for _ in range(repeat)] if prysk else []
        session = statistics.median(phases["session"])
        return {
            "commands": count,
            "check_whole": summary_ms(whole),
            "without_docutils_myst": summary_ms(without_parser),
            "without_docutils_myst_verified": verified,
            "interpreter_start": summary_ms(interpreter),
            **{name: summary_ms(values) for name, values in phases.items()},
            "imports_self_by_package_ms": {k: round(v, 1) for k, v in list(by_package.items())[:10]},
            "per_command_ms": round(session * 1000 / count, 3),
            "prysk_empty_run": summary_ms(prysk_start),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(count: int = 100, repeat: int = 5) -> dict:
    return {
        "echo": compare("echo", count, repeat),
        "kubectl": compare("kubectl", count, repeat),
        "breakdown": breakdown(count, repeat),
    }
