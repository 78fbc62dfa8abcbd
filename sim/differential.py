"""Our kubectl against the real one, command by command, on the same transcripts.

    python -m sim.differential [PATH ...] [--kubectl reference|PATH] [--jobs N] [--json FILE]

Each session of the documents (default: docs/ and the transcripts under tests/) is replayed twice from the same start (same
profile, same seed, the same commands typed into the same kind of sandboxed bash): once
with our kubectl, once with the other one reaching the session's cluster through its API.
Every command that runs kubectl is then compared: the other kubectl's output against ours,
with the matcher and bindings of `check` (generated names and addresses bind one to one,
ages match any age), so "identical" means what a reader would call the same output. The
report gives the share identical per kubectl verb and lists every difference with its
file:line.
"""
from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sim.environment import PROJECT_DIR

# docs/ (the guides as written included) and the transcripts the tests replay; of the hostile
# corpus only the cases that are about kubectl (the others are about the shell)
DEFAULT_PATHS = ("docs", "tests/runner/fixtures", "tests/sphinx/roots",
                 "tests/reliability/corpus/documents", "tests/reliability/corpus/manifests",
                 "tests/reliability/roots", "tests/reliability/corpus/hostile/watch-pods.md",
                 "tests/reliability/corpus/hostile/kubectl-stdin.md")
_KUBECTL = re.compile(r"(?:^|[\s;|&(`$])kubectl\s+(.*)")
_VALUE_FLAGS = {"-n", "--namespace", "--context", "--kubeconfig", "-s", "--server", "--cluster",
                "--user", "--as", "--request-timeout", "-v", "--v"}


def verb(command: str) -> str | None:
    """The kubectl verb a command line runs (``kubectl -n x get pods`` → ``get``), or None."""
    found = _KUBECTL.search(command)
    if not found:
        return None
    try:
        words = shlex.split(found.group(1), comments=False)
    except ValueError:
        words = found.group(1).split()
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = word in _VALUE_FLAGS
            continue
        return word
    return "kubectl"


@dataclass
class Difference:
    where: str
    command: str
    diff: list[str]


@dataclass
class Report:
    by_verb: dict[str, list[int]] = field(default_factory=dict)    # verb -> [same, total]
    differences: list[Difference] = field(default_factory=list)

    def add(self, name: str, same: bool) -> None:
        counts = self.by_verb.setdefault(name, [0, 0])
        counts[0] += int(same)
        counts[1] += 1

    @property
    def total(self) -> tuple[int, int]:
        return (sum(c[0] for c in self.by_verb.values()), sum(c[1] for c in self.by_verb.values()))

    def share(self) -> float:
        same, total = self.total
        return same / total if total else 1.0

    def text(self) -> str:
        lines = ["| verb | commands | identical | share |", "|---|---|---|---|"]
        for name, (same, total) in sorted(self.by_verb.items(), key=lambda kv: (-kv[1][1], kv[0])):
            lines.append(f"| `{name}` | {total} | {same} | {same / total:.0%} |")
        same, total = self.total
        lines.append(f"| all | {total} | {same} | {self.share():.1%} |")
        if self.differences:
            lines += ["", f"{len(self.differences)} difference(s):"]
            for d in self.differences:
                lines.append(f"{d.where}: $ {d.command}")
                lines += ["    " + line for line in d.diff]
        return "\n".join(lines)

    def as_json(self) -> dict:
        same, total = self.total
        return {"identical": same, "commands": total, "share": round(self.share(), 4),
                "by_verb": {k: {"identical": v[0], "commands": v[1]} for k, v in self.by_verb.items()},
                "differences": [{"where": d.where, "command": d.command, "diff": d.diff}
                                for d in self.differences]}


def compare(ours, theirs, report: Report, root: Path) -> None:
    """Fold one session's two results into ``report``: each kubectl step of ours against
    the other kubectl's at the same place, the bindings carried along the session."""
    from tutorial_runner.match import Bindings, match_output

    theirs_steps = {(b.block.line, s.line): s for b in theirs.blocks for s in b.steps}
    bindings = Bindings()
    for block in ours.blocks:
        for step in block.steps:
            name = verb(step.command)
            if name is None:
                continue
            other = theirs_steps.get((block.block.line, step.line))
            where = f"{_relative(block.block.path, root)}:{step.line}"
            if other is None:
                report.add(name, False)
                report.differences.append(Difference(where, step.command,
                                                     ["(not run with the other kubectl)"]))
                continue
            result = match_output(step.live, other.live, bindings)
            same = result.ok and step.exit_status == other.exit_status
            report.add(name, same)
            if result.ok:
                bindings = result.bindings
            if not same:
                diff = list(result.diff) if not result.ok else \
                    [f"exit status {step.exit_status} (ours) != {other.exit_status}"]
                report.differences.append(Difference(where, step.command, diff))


def _relative(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return str(path)


def run(paths: list[Path], kubectl: str = "reference", jobs: int = 2,
        sandbox: str = "auto", progress=None) -> Report:
    from tutorial_runner.engine import run_session
    from tutorial_runner.environment import load_environment
    from tutorial_runner.document import iter_document_paths, read_document

    from sim.environment import resolve_kubectl

    resolve_kubectl(kubectl)              # a ValueError now rather than in every session
    environment = load_environment("sim")
    files = list(iter_document_paths(paths))
    sessions = []
    for path in files:
        try:
            document = read_document(path)
        except Exception:
            continue                      # `check` reports unreadable documents
        sessions += [s for s in document.sessions if any(b.kind == "transcript" for b in s.blocks)]
    report = Report()

    def twice(session):
        ours = run_session(session, environment, sandbox=sandbox)
        theirs = run_session(session, environment, sandbox=sandbox, kubectl=kubectl)
        if progress is not None:
            progress(session)
        return ours, theirs

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for ours, theirs in pool.map(twice, sessions):
            compare(ours, theirs, report, PROJECT_DIR)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.differential",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path,
                        default=[PROJECT_DIR / p for p in DEFAULT_PATHS])
    parser.add_argument("--kubectl", default="reference")
    parser.add_argument("--jobs", "-j", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    def progress(session) -> None:
        print(f"  {_relative(session.document, PROJECT_DIR)} ({session.name})", file=sys.stderr)

    try:
        report = run(args.paths, args.kubectl, args.jobs, progress=progress)
    except ValueError as exc:
        print(f"differential: {exc}", file=sys.stderr)
        return 2
    print(report.text())
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report.as_json(), indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
