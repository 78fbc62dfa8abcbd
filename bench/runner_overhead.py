"""Benchmark of the runner's own cost (not a test): run it and read the numbers.

    .venv/bin/python bench/runner_overhead.py [--commands N] [--repeat N]

1. Per command: a builtin (`true`) and `echo` typed into one live session, median and p95:
   what is left over is the runner's reading, marker search and decoding.
2. N cheap commands end to end: `tutorial-runner check` on a document of N `echo`s in a
   fresh interpreter, against prysk on the same N commands; and the in-process share of
   parsing and of the session itself.
3. Waiting for input: how long a command that waits for the keyboard (`cat`) takes to be
   stopped (its :timeout: is 60 s), and what one look at the terminal's foreground costs
   while a command is only slow.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _line(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{label:<44} median {statistics.median(ms):8.3f} ms   p95 {_percentile(ms, 0.95):8.3f} ms"
          f"   (n={len(ms)})")


def per_command(sandbox: str, count: int = 300) -> None:
    from tutorial_runner.session import ShellSession

    with ShellSession(sandbox=sandbox) as shell:
        shell.start()
        for command in ("true", "echo hi"):
            times = []
            for _ in range(count):
                begin = time.perf_counter()
                shell.run(command)
                times.append(time.perf_counter() - begin)
            _line(f"{command!r} round trip (sandbox {shell.sandbox.kind})", times)


def waiting(sandbox: str, count: int = 5, looks: int = 200) -> None:
    from tutorial_runner.session import ShellSession
    from tutorial_runner.waiting import waiting_for_input

    with ShellSession(sandbox=sandbox) as shell:
        shell.start()
        stopped = []
        for _ in range(count):
            out = shell.run("cat", timeout=60, interactive_prompt=lambda partial: False)
            assert out.state == "waiting", out.state
            stopped.append(out.elapsed)
        _line(f"'cat' stopped as waiting (sandbox {shell.sandbox.kind})", stopped)
        shell._send("/bin/sleep 30\n")
        time.sleep(0.3)
        costs = []
        for _ in range(looks):
            begin = time.perf_counter()
            assert waiting_for_input(shell.child.child_fd, shell._device) is None
            costs.append(time.perf_counter() - begin)
        _line(f"one look at a busy foreground (sandbox {shell.sandbox.kind})", costs)
        shell.interrupt()


def _timed(argv: list[str], cwd: Path) -> float:
    begin = time.perf_counter()
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - begin


def end_to_end(commands: int, repeat: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="runner-bench-"))
    try:
        rst = ["Bench", "=====", "", ".. transcript::", ""]
        cram = []
        for i in range(commands):
            rst += [f"   $ echo hi{i}", f"   hi{i}"]
            cram += [f"  $ echo hi{i}", f"  hi{i}"]
        (work / "c.rst").write_text("\n".join(rst) + "\n")
        (work / "c.t").write_text("\n".join(cram) + "\n")
        ours = [sys.executable, "-m", "tutorial_runner", "check", "c.rst", "--environment", "plain",
                "--no-cache", "--sandbox", "off"]
        ours_times = [_timed(ours, work) for _ in range(repeat)]
        _line(f"{commands} commands: tutorial-runner check", ours_times)
        prysk = shutil.which("prysk") or str(Path(sys.executable).with_name("prysk"))
        if Path(prysk).exists():
            prysk_times = [_timed([prysk, "-q", "c.t"], work) for _ in range(repeat)]
            _line(f"{commands} commands: prysk", prysk_times)
            ratio = statistics.median(ours_times) / statistics.median(prysk_times)
            print(f"{'ratio (ours / prysk)':<44} {ratio:8.2f}")

        from tutorial_runner.document import read_document
        from tutorial_runner.engine import run_session
        from tutorial_runner.environment import PlainEnvironment

        parse, run = [], []
        for _ in range(repeat):
            begin = time.perf_counter()
            document = read_document(work / "c.rst")
            parse.append(time.perf_counter() - begin)
            begin = time.perf_counter()
            result = run_session(document.sessions[0], PlainEnvironment(), sandbox="off")
            run.append(time.perf_counter() - begin)
            assert result.ok
        _line(f"{commands} commands: parsing the document", parse)
        _line(f"{commands} commands: the session (start, run, close)", run)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    per_command("off")
    per_command("auto")
    end_to_end(args.commands, args.repeat)
    waiting("off")
    waiting("auto")


if __name__ == "__main__":
    main()
