"""Running a site's sessions through the engine and keeping what the pages need of it.

The HTML builders and the ``tutorial`` builder both come here.  What a page shows of a
block is a small picklable :class:`Verdict`, kept in the Sphinx environment with the key
of the session it came from, so that an unchanged site is not even looked up again.
The engine's own result cache makes the second language, and ``make doctest`` after
``make html``, free.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..environment import Environment, load_environment
from ..model import Block, Document, Session
from .lines import console_lines
from .render import ConsoleLine

UNVERIFIED = "unverified"
FAILING = frozenset({"failed", "unexpected-match", "error"})

BlockKey = tuple[str, int]      # (source path, directive line)


@dataclass(frozen=True)
class Verdict:
    """What a page shows of one block's result."""

    status: str                          # engine's status, or "unverified"
    message: str = ""                    # skip/drift reason, error text, why unverified
    against: str = ""                    # the environment and profile it ran against
    live: tuple[ConsoleLine, ...] = ()   # drift: what the cluster printed, as a console
    diff: tuple[str, ...] = ()           # failures: expected against live


def block_key(block: Block) -> BlockKey:
    return (str(block.path), block.line)


def engine_module() -> Any | None:
    """The engine, when it is installed and complete; the site builds without it."""
    try:
        engine = importlib.import_module("tutorial_runner.engine")
    except ImportError:
        return None
    return engine if hasattr(engine, "run_session") else None


def open_cache(directory: Path) -> Any:
    from ..cache import Cache

    return Cache(directory)


def environment(name: str | None) -> Environment:
    return load_environment(name)


def describe(env: Environment, profile: str | None) -> str:
    """How a badge names what a block was verified against."""
    describe_profile: Callable[[str | None], str] | None = getattr(env, "describe", None)
    if describe_profile is not None:
        try:
            return describe_profile(profile)
        except Exception:  # a profile the environment cannot describe still verified
            pass
    return f"{env.name} / {profile or 'default'}"


def sessions_of(blocks_by_doc: dict[str, list[Block]]) -> list[tuple[str, Session]]:
    """(docname, session) pairs; blocks of a document keep their order."""
    found = []
    for docname in sorted(blocks_by_doc):
        blocks = blocks_by_doc[docname]
        if blocks:
            for session in Document(blocks[0].path, list(blocks)).sessions:
                found.append((docname, session))
    return found


def session_key(session: Session, env: Environment, cache: Any | None = None) -> str:
    """Changes with anything that could change the session's result or where the page
    shows it: the result cache's own key when there is one (it follows the runner's code),
    and the blocks' places in their document."""
    data = {
        "result": cache.key(session, env, session.cluster) if cache is not None else [
            __version__, env.name, env.version(),
            [[b.kind, b.filename, list(b.body), repr(b.options)] for b in session.blocks],
        ],
        "places": [[str(b.path), b.line, b.body_line] for b in session.blocks],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def unverified(session: Session, reason: str) -> dict[BlockKey, Verdict]:
    return {block_key(b): Verdict(UNVERIFIED, reason) for b in session.blocks}


def _live_console(block: Block, steps: Iterable[Any], input_prompts: Sequence[str]
                  ) -> tuple[ConsoleLine, ...]:
    """The block's input lines as documented, each followed by what the cluster printed."""
    documented = console_lines(block.body, input_prompts)
    lines: list[ConsoleLine] = []
    for step in steps:
        first = step.line - block.body_line
        count = str(step.command).count("\n") + 1
        typed = documented[first:first + count] if first >= 0 else []
        if len(typed) == count and all(line.kind == "input" for line in typed):
            lines.extend(typed)
        else:
            lines.extend(ConsoleLine("input", text, "$ " if not index else "> ")
                         for index, text in enumerate(str(step.command).split("\n")))
        lines.extend(ConsoleLine("output", text) for text in step.live)
    return tuple(lines)


def _diff(block: Block, steps: Iterable[Any]) -> tuple[str, ...]:
    """Each failing step: where, what was typed, why, the diff, the bindings in force."""
    out: list[str] = []
    for step in steps:
        if step.ok:
            continue
        command = str(step.command).replace("\n", "\n> ")
        out.append(f"{block.path.name}:{step.line}: $ {command}")
        if getattr(step, "note", ""):
            out.append(f"  {step.note}")
        out.extend(row for row in step.diff if not row.startswith("! "))
        if step.bindings:
            bound = ", ".join(f"{k} → {v}" for k, v in sorted(step.bindings.items()))
            out.append(f"  bindings: {bound}")
    return tuple(out)


def verdicts(result: Any, against: str, input_prompts: Sequence[str] = ()
             ) -> dict[BlockKey, Verdict]:
    """A :class:`SessionResult` reduced to what the pages show."""
    found: dict[BlockKey, Verdict] = {}
    for block_result in result.blocks:
        block, status = block_result.block, block_result.status
        steps = list(block_result.steps)
        live = _live_console(block, steps, input_prompts) if status in ("drift", "failed", "unexpected-match") else ()
        diff = _diff(block, steps) if status in FAILING else ()
        found[block_key(block)] = Verdict(
            status, block_result.message or "", against, live, diff
        )
    return found


def run_all(
    sessions: list[Session],
    env: Environment,
    *,
    cache: Any | None,
    sandbox: str,
    jobs: int,
    on_done: Callable[[Session, Any], None] | None = None,
    default_kubectl: str | None = None,
) -> list[Any]:
    """Every session's result, in order; ``jobs`` at a time.  A session whose run raised
    comes back as a result whose blocks are errors saying why.  The kubectl: the variable
    ``TUTORIAL_RUNNER_KUBECTL`` (as the command line's ``--kubectl``), else a session's own
    ``:kubectl:``, else ``default_kubectl`` (conf.py's ``tutorial_runner_kubectl``)."""
    import os

    forced = os.environ.get("TUTORIAL_RUNNER_KUBECTL") or None
    engine = engine_module()
    if engine is None:
        raise RuntimeError("the runner's engine (tutorial_runner.engine) is not installed")

    def one(session: Session) -> Any:
        try:
            result = engine.run_session(session, env, sandbox=sandbox, cache=cache,
                                        kubectl=forced, default_kubectl=default_kubectl)
        except Exception as error:  # one broken session must not hide the others' results
            message = f"the run failed: {type(error).__name__}: {error}"
            result = engine.SessionResult(
                session, [engine.BlockResult(b, "error", message) for b in session.blocks],
                getattr(env, "name", ""), session.cluster)
        if on_done is not None:
            on_done(session, result)
        return result

    if jobs <= 1 or len(sessions) <= 1:
        return [one(s) for s in sessions]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, sessions))
