"""pytest plugin: collects the transcripts of .md and .rst documents, one item per session.

Installed projects get this plugin through its entry point, so it stays out of the way
unless asked: documents are collected only with ``--tutorial`` or when they lie under the
ini option ``tutorial_runner_paths`` (directories or glob patterns relative to the rootdir).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tutorial_runner.model import DocumentError, Session

SUFFIXES = (".md", ".rst")
_MARKERS = ("transcript", "tutorial-file")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tutorial", "tutorial transcripts")
    group.addoption("--tutorial", action="store_true", default=False,
                    help="collect the transcripts of .md/.rst documents as tests")
    group.addoption("--tutorial-environment", metavar="NAME", default=None,
                    help="environment the sessions run against (default: sim, else plain)")
    group.addoption("--tutorial-sandbox", choices=("auto", "require", "off"), default=None,
                    help="sandbox for the sessions (default auto)")
    group.addoption("--tutorial-no-cache", action="store_true", default=False,
                    help="replay every session instead of using the result cache")
    parser.addini("tutorial_runner_paths", type="linelist", default=[],
                  help="directories or glob patterns (relative to rootdir) whose .md/.rst "
                       "documents are collected as transcript tests")
    parser.addini("tutorial_runner_environment", default="",
                  help="environment the sessions run against")
    parser.addini("tutorial_runner_sandbox", default="auto", help="auto, require or off")


def _wanted(config: pytest.Config, file_path: Path) -> bool:
    if config.getoption("--tutorial"):
        return True
    patterns = config.getini("tutorial_runner_paths")
    if not patterns:
        return False
    root = Path(config.rootpath)
    try:
        relative = file_path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    for pattern in patterns:
        base = pattern.rstrip("/")
        if fnmatch.fnmatch(str(relative), pattern) or relative.parts[: len(Path(base).parts)] == Path(base).parts:
            return True
    return False


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in SUFFIXES or not _wanted(parent.config, file_path):
        return None
    try:
        text = file_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if not any(marker in text for marker in _MARKERS):
        return None
    return TutorialFile.from_parent(parent, path=file_path)


class TutorialFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from tutorial_runner.document import read_document

        try:
            document = read_document(self.path)
        except DocumentError as error:
            yield BrokenDocument.from_parent(self, name="document", error=error)
            return
        for session in document.sessions:
            yield TutorialSession.from_parent(self, name=session.name, tutorial_session=session)


class TutorialFailure(Exception):
    def __init__(self, report: str):
        super().__init__(report)
        self.report = report


class _State:
    """What every item of a run shares: the environment and the result cache."""

    def __init__(self, config: pytest.Config):
        from tutorial_runner.cache import Cache, default_directory
        from tutorial_runner.environment import load_environment

        name = config.getoption("--tutorial-environment") or config.getini("tutorial_runner_environment") or None
        self.environment = load_environment(name)
        self.sandbox = config.getoption("--tutorial-sandbox") or config.getini("tutorial_runner_sandbox") or "auto"
        self.cache = None if config.getoption("--tutorial-no-cache") else Cache(default_directory(Path(config.rootpath)))


_STATE_KEY = pytest.StashKey[_State]()


def _state(config: pytest.Config) -> _State:
    if _STATE_KEY not in config.stash:
        config.stash[_STATE_KEY] = _State(config)
    return config.stash[_STATE_KEY]


class TutorialSession(pytest.Item):
    def __init__(self, *, tutorial_session: Session, **kwargs: Any):
        super().__init__(**kwargs)
        self.tutorial_session = tutorial_session

    def runtest(self) -> None:
        from tutorial_runner.engine import run_session
        from tutorial_runner.report import text_report

        state = _state(self.config)
        result = run_session(self.tutorial_session, state.environment, sandbox=state.sandbox,
                             cache=state.cache, kubectl=os.environ.get("TUTORIAL_RUNNER_KUBECTL") or None)
        if not result.ok:
            raise TutorialFailure(text_report([result], Path(self.config.rootpath)))
        if all(block.status == "skipped" for block in result.blocks):
            pytest.skip("; ".join(sorted({block.message for block in result.blocks})))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, TutorialFailure):
            return excinfo.value.report
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.tutorial_session.blocks[0].line if self.tutorial_session.blocks else 1
        return self.path, line - 1, f"session {self.tutorial_session.name}"


class BrokenDocument(pytest.Item):
    def __init__(self, *, error: DocumentError, **kwargs: Any):
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise TutorialFailure(str(self.error))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, TutorialFailure):
            return excinfo.value.report
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.error.line or 1) - 1, "document"
