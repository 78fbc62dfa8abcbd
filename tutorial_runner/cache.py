"""Results of sessions whose blocks, runner and environment have not changed.

A key covers everything that can change a session's result: each block's kind, options,
body and file name in order, the runner's own code, and the environment's name, version
and cluster profile.  It leaves out where the blocks sit in their document, so adding a
paragraph above a transcript does not replay it: line numbers are stored relative to the
block and put back on load.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tutorial_runner import __version__
from tutorial_runner.model import Session

CACHE_VARIABLE = "TUTORIAL_RUNNER_CACHE"
DEFAULT_DIRNAME = ".tutorial-cache"
_FORMAT = 1
_RUNNER_MODULES = ("engine", "session", "sandbox", "match", "transcript", "cache", "waiting")


@functools.cache
def runner_fingerprint() -> str:
    """The runner's version and the source of the modules a result depends on."""
    digest = hashlib.sha256(__version__.encode())
    here = Path(__file__).resolve().parent
    for name in _RUNNER_MODULES:
        try:
            digest.update((here / f"{name}.py").read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()[:16]


def default_directory(project_root: Path | None = None) -> Path:
    """``$TUTORIAL_RUNNER_CACHE``, else ``.tutorial-cache`` in the project root."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured)
    return (project_root or Path.cwd()) / DEFAULT_DIRNAME


def project_root(start: Path) -> Path:
    """The nearest directory above ``start`` that looks like a project's root."""
    start = start.resolve()
    here = start if start.is_dir() else start.parent
    for candidate in (here, *here.parents):
        if any((candidate / marker).exists() for marker in (".git", "pyproject.toml", "conf.py")):
            return candidate
    return here


def _program_identity(program: str | None) -> Any:
    """A chosen program as the key sees it: its path, and its size and time when it is a file
    (another binary at the same path is another run); a name such as "reference" as is."""
    if not program:
        return None
    path = Path(program).expanduser()
    try:
        stat = path.stat()
    except OSError:
        return program
    return [str(path.resolve()), stat.st_size, stat.st_mtime_ns]


class Cache:
    def __init__(self, directory: Path | str | None = None):
        self.directory = Path(directory) if directory is not None else default_directory()

    def key(self, session: Session, environment: Any, profile: str | None,
            kubectl: str | None = None) -> str:
        data = {
            "format": _FORMAT,
            "runner": runner_fingerprint(),
            "environment": [getattr(environment, "name", ""), environment.version()],
            "profile": profile,
            "kubectl": _program_identity(kubectl),
            "blocks": [
                [block.kind, block.filename, list(block.body),
                 _options(block.options)] for block in session.blocks
            ],
        }
        text = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def load(self, key: str, session: Session) -> Any | None:
        from tutorial_runner.engine import BlockResult, SessionResult, StepResult

        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if len(data.get("blocks", ())) != len(session.blocks):
            return None
        blocks = []
        try:
            for block, stored in zip(session.blocks, data["blocks"]):
                steps = []
                for step in stored["steps"]:
                    fields = dict(step)
                    fields["line"] = block.body_line + fields.pop("offset")
                    steps.append(StepResult(**fields))
                blocks.append(BlockResult(block, stored["status"], stored["message"], steps))
        except (KeyError, TypeError):
            return None
        return SessionResult(session, blocks, data.get("environment", ""), data.get("profile"),
                             data.get("elapsed", 0.0), cached=True)

    def store(self, key: str, result: Any) -> None:
        blocks = []
        for block_result in result.blocks:
            steps = []
            for step in block_result.steps:
                fields = dataclasses.asdict(step)
                fields["offset"] = fields.pop("line") - block_result.block.body_line
                steps.append(fields)
            blocks.append({"status": block_result.status, "message": block_result.message,
                           "steps": steps})
        data = {"environment": result.environment, "profile": result.profile,
                "elapsed": result.elapsed, "blocks": blocks}
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False)
            os.replace(temporary, path)
        except OSError:
            return  # a cache that cannot be written is only slower


def _options(options: Any) -> dict[str, Any]:
    data = dataclasses.asdict(options)
    data["vars"] = list(data["vars"])
    return data
