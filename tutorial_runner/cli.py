"""``tutorial-runner``: check, update, play, shell and serve."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Sequence, TextIO

from tutorial_runner import __version__
from tutorial_runner.cache import Cache, default_directory, project_root
from tutorial_runner.document import iter_document_paths, read_document
from tutorial_runner.engine import BlockResult, SessionResult, run_session
from tutorial_runner.environment import Environment, load_environment
from tutorial_runner.model import Document, DocumentError, Session
from tutorial_runner.report import summary, text_report, where, write_junit
from tutorial_runner.sandbox import SandboxUnavailable, choose

OK, MISMATCH, BAD_INPUT = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return BAD_INPUT
    previous = _end_on_signals()
    try:
        return args.handler(args)
    except KeyboardInterrupt as stop:
        print("interrupted", file=sys.stderr)
        return 128 + getattr(stop, "signum", signal.SIGINT)
    finally:
        for signum, handler in previous.items():
            if handler is not None:   # None: not set from Python, nothing to put back
                signal.signal(signum, handler)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a cancelled CI job, a closed terminal): ended like Ctrl-C, so that
    every session is closed and its directory removed."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _end_on_signals() -> dict[int, object]:
    def stop(signum: int, frame: object) -> None:
        raise Terminated(signum)

    previous: dict[int, object] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    for signum in (signal.SIGTERM, signal.SIGHUP):
        previous[signum] = signal.signal(signum, stop)
    return previous


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tutorial-runner",
        description="Replays the shell transcripts of .md/.rst tutorials in live sessions "
                    "and checks every output.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--sandbox", choices=("auto", "require", "off"), default="auto",
                         help="run sessions in a sandbox: where available (auto), or refuse "
                              "without one (require), or never (off); default auto")
        sub.add_argument("--environment", metavar="NAME", default=None,
                         help="what sessions run against (default: sim when installed, else plain)")
        sub.add_argument("--kubectl", metavar="PATH", default=None,
                         help="run each session's kubectl as this program, against the "
                              "session's cluster API ('reference': the pinned kubectl v1.35.2 "
                              "that make test fetches); default: the environment's own")

    check = commands.add_parser(
        "check", help="verify the transcripts of documents",
        description="Verify the transcripts of the given .md/.rst files (directories are "
                    "searched). Exit status: 0 all match, 1 a mismatch, 2 a document that "
                    "cannot be read or parsed.")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--junit", metavar="FILE", type=Path, help="also write JUnit XML here")
    check.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                       help="sessions run in parallel (default 1)")
    check.add_argument("--no-cache", action="store_true",
                       help="replay every session (documents already read are still taken "
                            "from the cache, keyed by their bytes)")
    check.add_argument("--cache-dir", type=Path, metavar="DIR",
                       help="result cache (default: $TUTORIAL_RUNNER_CACHE or "
                            ".tutorial-cache in the project root)")
    check.add_argument("--verbose", "-v", action="store_true", help="report passing blocks too")
    check.add_argument("--profile", metavar="PROFILE", default=None,
                       help="cluster profile of the sessions that name none with :cluster: "
                            "(e.g. large: 1,000 nodes); default: the environment's default")
    common(check)
    check.set_defaults(handler=_check)

    update = commands.add_parser(
        "update", help="rewrite expected output that no longer matches",
        description="Replay the documents and rewrite, in place and atomically, only the "
                    "expected output lines of failing steps; everything else stays byte for byte.")
    update.add_argument("paths", nargs="+", metavar="PATH")
    update.add_argument("--jobs", "-j", type=int, default=1, metavar="N")
    common(update)
    update.set_defaults(handler=_update)

    play = commands.add_parser(
        "play", help="walk through a tutorial step by step",
        description="Show each block under its heading; each command runs when you press "
                    "Enter (or type a command of your own first); the live output is shown "
                    "with ✓ or how it differs from the document.")
    play.add_argument("path", metavar="PATH")
    common(play)
    play.set_defaults(handler=_play)

    shell = commands.add_parser(
        "shell", help="an interactive bash attached to a fresh environment",
        description="Start an interactive bash in a temporary directory, attached to a fresh "
                    "environment (a simulated cluster by default).")
    shell.add_argument("--cluster", metavar="PROFILE", default=None,
                       help="cluster profile (default: the environment's default)")
    common(shell)
    shell.set_defaults(handler=_shell)

    serve = commands.add_parser(
        "serve", help="serve the built site with a live terminal under each transcript",
        description="Serve the built site (both languages) and, under each transcript, a "
                    "'Try it' control: a terminal beside the page on a fresh session of that "
                    "page, in the sandbox, where every page command the reader runs is "
                    "checked against the page.")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default 8000; 0: any free one)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1, this machine only)")
    serve.add_argument("--site", type=Path, default=None, metavar="DIR",
                       help="the built site (default: _build/html of the project here; "
                            "built with `make html` first when missing)")
    serve.add_argument("--max-sessions", type=int, default=10, metavar="N",
                       help="readers' sessions at once; past that a reader is told to try "
                            "again (default 10)")
    serve.add_argument("--idle", type=float, default=600.0, metavar="SECONDS",
                       help="a session without input from its reader ends (default 600)")
    serve.add_argument("--sandbox", choices=("auto", "require", "off"), default="auto",
                       help="as for check (default auto)")
    serve.set_defaults(handler=_serve)
    return parser


# -- shared --------------------------------------------------------------------------------


def _environment(name: str | None) -> Environment | None:
    try:
        return load_environment(name)
    except LookupError as error:
        print(f"tutorial-runner: {error}", file=sys.stderr)
        return None


def _sandbox_ok(mode: str) -> bool:
    try:
        choose(mode)
    except SandboxUnavailable as error:
        print(f"tutorial-runner: {error}", file=sys.stderr)
        return False
    return True


def _documents(paths: Sequence[str], cache_dir: Path | None = None
               ) -> tuple[list[Document], list[DocumentError]]:
    from tutorial_runner.parsed import DocumentCache

    reader = DocumentCache(cache_dir).read if cache_dir is not None else read_document
    documents, errors = [], []
    seen: set[Path] = set()
    for path in iter_document_paths(paths):
        # Named twice (as a file and through its directory, or spelt two ways): run once.
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        try:
            documents.append(reader(path))
        except DocumentError as error:
            errors.append(error)
    return documents, errors


class _Progress:
    """One updating line on a terminal; plain lines otherwise."""

    def __init__(self, total: int, stream: TextIO, root: Path | None):
        self.total, self.done, self.failed = total, 0, 0
        self.stream, self.root = stream, root
        self.live = stream.isatty()
        self.lock = threading.Lock()
        self.width = shutil.get_terminal_size((80, 24)).columns

    def __call__(self, session: Session, block: BlockResult, index: int, count: int) -> None:
        with self.lock:
            self._show(block)

    def _show(self, block: BlockResult) -> None:
        self.done += 1
        self.failed += not block.ok
        place = where(block.block.path, block.block.line, self.root)
        if self.live:
            text = f"[{self.done}/{self.total}] {self.failed} failing · {place} {block.status}"
            self.stream.write("\r" + text[: self.width - 1].ljust(self.width - 1))
        else:
            self.stream.write(f"{place} {block.status}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.live:
            self.stream.write("\r" + " " * (self.width - 1) + "\r")
            self.stream.flush()


def _run_all(sessions: list[Session], environment: Environment, sandbox: str,
             cache: Cache | None, jobs: int, progress: _Progress | None,
             kubectl: str | None = None, profile: str | None = None) -> list[SessionResult]:
    def one(session: Session) -> SessionResult:
        return run_session(session, environment, sandbox=sandbox, cache=cache, progress=progress,
                           kubectl=kubectl, default_profile=profile)

    if jobs <= 1 or len(sessions) <= 1:
        return [one(session) for session in sessions]
    from concurrent.futures import ThreadPoolExecutor

    # Ctrl-C or SIGTERM reaches the main thread only: the sessions running in the pool
    # stop at their next block (and close) instead of running to their end.
    cancelled = threading.Event()

    def watched(session: Session, block: BlockResult, index: int, count: int) -> None:
        if cancelled.is_set():
            raise _Cancelled()
        if progress is not None:
            progress(session, block, index, count)

    def one_of_many(session: Session) -> SessionResult:
        if cancelled.is_set():
            raise _Cancelled()
        return run_session(session, environment, sandbox=sandbox, cache=cache, progress=watched,
                           kubectl=kubectl, default_profile=profile)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(one_of_many, session) for session in sessions]
        try:
            return [future.result() for future in futures]
        except KeyboardInterrupt:
            cancelled.set()
            for future in futures:
                future.cancel()
            raise


class _Cancelled(Exception):
    """The run was interrupted: a session in the pool stops at its next block."""


def _report_errors(errors: list[DocumentError]) -> None:
    for error in errors:
        print(f"{error}", file=sys.stderr)


# -- check ---------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    environment = _environment(args.environment)
    if environment is None or not _sandbox_ok(args.sandbox):
        return BAD_INPUT
    root = project_root(Path(args.paths[0]))
    cache_dir = args.cache_dir or default_directory(root)
    documents, errors = _documents(args.paths, cache_dir)
    _report_errors(errors)
    cache = None
    if not args.no_cache:
        cache = Cache(cache_dir)
    sessions = [session for document in documents for session in document.sessions]
    started = time.monotonic()
    progress = _Progress(sum(len(s.blocks) for s in sessions), sys.stderr, Path.cwd())
    results = _run_all(sessions, environment, args.sandbox, cache, args.jobs, progress,
                       args.kubectl, args.profile)
    progress.finish()
    elapsed = time.monotonic() - started
    print(text_report(results, Path.cwd(), verbose=args.verbose, elapsed=elapsed))
    if args.junit:
        write_junit(args.junit, results, Path.cwd())
    if errors:
        return BAD_INPUT
    return OK if all(result.ok for result in results) else MISMATCH


# -- update --------------------------------------------------------------------------------


def _update(args: argparse.Namespace) -> int:
    from tutorial_runner.update import UpdateRefused, apply_edits, edits_for

    environment = _environment(args.environment)
    if environment is None or not _sandbox_ok(args.sandbox):
        return BAD_INPUT
    documents, errors = _documents(args.paths)
    _report_errors(errors)
    sessions = [session for document in documents for session in document.sessions]
    results = _run_all(sessions, environment, args.sandbox, None, args.jobs, None, args.kubectl)
    by_path: dict[Path, list] = {}
    for result in results:
        for edit in edits_for(result):
            by_path.setdefault(edit.path, []).append(edit)
    changed = 0
    for path, edits in by_path.items():
        try:
            applied = apply_edits(path, edits)
        except UpdateRefused as error:
            print(f"tutorial-runner: {error}", file=sys.stderr)
            continue
        if applied:
            changed += applied
            print(f"{path}: {applied} step{'s' if applied != 1 else ''} rewritten")
    left = [b for r in results for b in r.blocks if b.status in ("error", "unexpected-match")]
    for block in left:
        print(f"{where(block.block.path, block.block.line)}: {block.status}: {block.message}",
              file=sys.stderr)
    print(f"{changed} step{'s' if changed != 1 else ''} rewritten; {summary(results)}")
    return BAD_INPUT if errors else OK


# -- play and shell ------------------------------------------------------------------------


def _play(args: argparse.Namespace) -> int:
    from tutorial_runner.play import play

    environment = _environment(args.environment)
    if environment is None or not _sandbox_ok(args.sandbox):
        return BAD_INPUT
    try:
        document = read_document(args.path)
    except DocumentError as error:
        print(error, file=sys.stderr)
        return BAD_INPUT
    return OK if play(document, environment, sandbox=args.sandbox, kubectl=args.kubectl) \
        else MISMATCH


def _shell(args: argparse.Namespace) -> int:
    from tutorial_runner.session import SessionError, ShellSession

    environment = _environment(args.environment)
    if environment is None or not _sandbox_ok(args.sandbox):
        return BAD_INPUT
    with ShellSession(sandbox=args.sandbox, clock="real") as shell:
        try:
            chosen = {"kubectl": args.kubectl} if args.kubectl else {}
            prepared = environment.prepare(shell.workdir, shell.statedir, args.cluster, **chosen)
            shell.start(prepared)
        except (ValueError, SessionError) as error:
            print(f"tutorial-runner: {error}", file=sys.stderr)
            return BAD_INPUT
        print(f"tutorial-runner: {environment.name} environment"
              f"{' (' + args.cluster + ')' if args.cluster else ''} in {shell.workdir}; "
              f"sandbox: {shell.sandbox.describe()}; exit or Ctrl-D to leave", file=sys.stderr)
        return shell.interact()
    return OK


def _serve(args: argparse.Namespace) -> int:
    import dataclasses
    import subprocess

    from tutorial_runner.live.server import Settings, serve
    from tutorial_runner.live.terminal import Limits

    if not _sandbox_ok(args.sandbox):
        return BAD_INPUT
    site = args.site
    if site is None:
        root = Path.cwd()
        site = root / "_build" / "html"
        if not (site / "index.html").exists() and (root / "conf.py").exists():
            print(f"tutorial-runner: no site in {site}: building it (make html)", file=sys.stderr)
            built = subprocess.run([sys.executable, "-m", "tutorial_runner.site", "html", "_build"],
                                   cwd=root)
            if built.returncode != 0:
                return BAD_INPUT
    if not site.is_dir():
        print(f"tutorial-runner: no built site in {site}: run `make html` in the project "
              "(or name one with --site DIR)", file=sys.stderr)
        return BAD_INPUT
    languages = tuple(sorted(p.name for p in site.iterdir() if (p / "_tutorial_runner").is_dir())) \
        or ("en",)
    limits = dataclasses.replace(Limits(), idle_seconds=args.idle)
    settings = Settings(site=site, max_sessions=args.max_sessions, limits=limits,
                        sandbox=args.sandbox, languages=languages)

    def ready(url: str) -> None:
        print(f"tutorial-runner: serving {site} at {url} (Ctrl-C to stop)", file=sys.stderr,
              flush=True)

    serve(settings, host=args.host, port=args.port, ready=ready)
    return OK


def _entry() -> None:  # pragma: no cover - console script
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
