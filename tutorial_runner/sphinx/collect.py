"""The blocks of every document, kept in the Sphinx environment, and their verdicts.

Blocks are gathered per document while reading (merged back from ``-j`` workers);
verdicts are refreshed once all documents are read, for the sessions whose key changed
(or that have none yet), and the pages whose badges changed are written again even when
their source did not change.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from ..directives import transcript_node, tutorial_file_node
from ..model import Block, Session
from . import verify
from .verify import UNVERIFIED, BlockKey, Verdict

logger = logging.getLogger(__name__)

BLOCKS = "tutorial_runner_blocks"        # docname -> [Block]
VERDICTS = "tutorial_runner_verdicts"    # docname -> {BlockKey: Verdict}
KEYS = "tutorial_runner_keys"            # (docname, session name) -> session key
BROKEN = "tutorial_runner_broken"        # docname -> [(line, message)] of refused blocks


def init_env(app: Sphinx, env: BuildEnvironment, docnames: list[str] | None = None) -> None:
    for name in (BLOCKS, VERDICTS, KEYS, BROKEN):
        if not hasattr(env, name):
            setattr(env, name, {})


def blocks_of(env: BuildEnvironment) -> dict[str, list[Block]]:
    init_env(None, env)  # type: ignore[arg-type]
    return getattr(env, BLOCKS)


def broken_of(env: BuildEnvironment) -> dict[str, list[tuple[int, str]]]:
    init_env(None, env)  # type: ignore[arg-type]
    return getattr(env, BROKEN)


def doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    found = [
        node["block"]
        for node in doctree.findall(
            lambda n: isinstance(n, (transcript_node, tutorial_file_node))
        )
    ]
    blocks = blocks_of(app.env)
    if found:
        blocks[app.env.docname] = found
    else:
        blocks.pop(app.env.docname, None)


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    blocks_of(env).pop(docname, None)
    broken_of(env).pop(docname, None)


def merge_info(app: Sphinx, env: BuildEnvironment, docnames: set[str],
               other: BuildEnvironment) -> None:
    for of in (blocks_of, broken_of):
        mine, theirs = of(env), of(other)
        for docname in docnames:
            if docname in theirs:
                mine[docname] = theirs[docname]


def cache_dir(app: Sphinx) -> Path:
    return Path(app.confdir, app.config.tutorial_runner_cache_dir)


def refresh_verdicts(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Verdicts for the HTML builders; returns the documents whose badges changed."""
    if app.builder.format != "html":
        return []
    blocks = blocks_of(env)
    old_verdicts: dict[str, dict[BlockKey, Verdict]] = getattr(env, VERDICTS)
    old_keys: dict[tuple[str, str], str] = getattr(env, KEYS)
    sessions = verify.sessions_of(blocks)
    if not sessions:
        setattr(env, VERDICTS, {})
        setattr(env, KEYS, {})
        return []

    new_keys: dict[tuple[str, str], str] = {}
    new_verdicts: dict[str, dict[BlockKey, Verdict]] = {}
    to_run: list[tuple[str, Session]] = []
    try:
        environment = verify.environment(app.config.tutorial_runner_environment)
    except Exception as error:  # no environment: the site still builds, unverified
        logger.warning("tutorial_runner: cannot load the environment: %s", error)
        for docname, session in sessions:
            new_verdicts.setdefault(docname, {}).update(
                verify.unverified(session, f"no environment: {error}"))
        return _store(env, old_verdicts, new_verdicts, {})

    cache = verify.open_cache(cache_dir(app)) if verify.engine_module() else None
    for docname, session in sessions:
        key = verify.session_key(session, environment, cache)
        new_keys[(docname, session.name)] = key
        known = old_verdicts.get(docname, {})
        kept = {verify.block_key(b): known.get(verify.block_key(b)) for b in session.blocks}
        if old_keys.get((docname, session.name)) == key and all(
            v is not None and v.status != UNVERIFIED for v in kept.values()
        ):
            new_verdicts.setdefault(docname, {}).update(kept)  # type: ignore[arg-type]
        else:
            to_run.append((docname, session))

    if to_run:
        for docname, found in _run(app, environment, cache, to_run).items():
            new_verdicts.setdefault(docname, {}).update(found)
    return _store(env, old_verdicts, new_verdicts, new_keys)


def _store(env: BuildEnvironment, old: dict[str, dict[BlockKey, Verdict]],
           new: dict[str, dict[BlockKey, Verdict]], keys: dict[tuple[str, str], str]) -> list[str]:
    keys_changed = keys != getattr(env, KEYS)
    setattr(env, VERDICTS, new)
    setattr(env, KEYS, keys)
    changed = sorted(d for d in set(old) | set(new)
                     if old.get(d) != new.get(d) and d in env.found_docs)
    if keys_changed and not changed and env.config.root_doc in env.found_docs:
        # Sphinx saves the environment only when some page is to be written: new keys
        # with the same verdicts (a new runner or environment version) must be kept too.
        changed = [env.config.root_doc]
    return changed


def _run(app: Sphinx, environment: Any, cache: Any | None, to_run: list[tuple[str, Session]]
         ) -> dict[str, dict[BlockKey, Verdict]]:
    found: dict[str, dict[BlockKey, Verdict]] = {}
    if not app.config.tutorial_runner_verify_html:
        reason = "verification is off for HTML builds (tutorial_runner_verify_html)"
    elif verify.engine_module() is None:
        reason = "the runner's engine is not installed"
    else:
        reason = ""
    if reason:
        for docname, session in to_run:
            found.setdefault(docname, {}).update(verify.unverified(session, reason))
        return found

    logger.info("tutorial_runner: verifying %d session(s)…", len(to_run))
    sessions = [session for _, session in to_run]
    done = [0]

    def progress(session: Session, result: Any) -> None:
        done[0] += 1
        state = ("from cache" if result.cached else "ok") if result.ok else "does not match"
        where = os.path.relpath(session.document, app.srcdir)
        logger.info("tutorial_runner: [%d/%d] %s (%s): %s", done[0], len(sessions),
                    where, session.name, state)

    results = verify.run_all(
        sessions, environment, cache=cache, sandbox=app.config.tutorial_runner_sandbox,
        jobs=max(1, app.parallel), on_done=progress,
        default_kubectl=app.config.tutorial_runner_kubectl,
    )
    counts: Counter[str] = Counter()
    for (docname, session), result in zip(to_run, results, strict=True):
        against = verify.describe(environment, session.cluster)
        found.setdefault(docname, {}).update(
            verify.verdicts(result, against, app.config.tutorial_runner_input_prompts))
        counts.update(block.status for block in result.blocks)
    logger.info("tutorial_runner: %s", ", ".join(f"{n} {status}" for status, n in counts.items()))
    return found
