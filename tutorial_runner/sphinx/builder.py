"""The ``tutorial`` builder: verifies every session of the site (``make doctest``).

It writes no pages.  Once every document is read it replays each session through the
engine (unchanged sessions come from the result cache), prints a summary, writes
``report.txt`` and ``junit.xml`` into its output directory, and makes the build fail on
any mismatch, naming the file and the line.
"""

from __future__ import annotations

import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Set
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.util import logging

from . import collect, verify

logger = logging.getLogger(__name__)


class TutorialBuilder(Builder):
    name = "tutorial"
    epilog = "Verification report: %(outdir)s/report.txt (JUnit XML: junit.xml)."
    allow_parallel = True

    failed = False

    def init(self) -> None:
        self.failed = False

    def get_outdated_docs(self) -> str | Iterable[str]:
        return "all transcripts"

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return ""

    def prepare_writing(self, docnames: Set[str]) -> None:
        pass

    def write_documents(self, docnames: Set[str]) -> None:
        pass

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        pass

    def finish(self) -> None:
        pairs = verify.sessions_of(collect.blocks_of(self.env))
        outdir = Path(self.outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        if verify.engine_module() is None:
            logger.error("tutorial: the runner's engine (tutorial_runner.engine) is not installed")
            self.failed = True
            return
        from .. import report  # the engine's own report: importable only with the engine

        sessions = [session for _, session in pairs]
        environment = verify.environment(self.config.tutorial_runner_environment)
        cache = verify.open_cache(Path(self.confdir, self.config.tutorial_runner_cache_dir))
        done = [0]

        def progress(session: Any, result: Any) -> None:
            done[0] += 1
            state = ("from cache" if result.cached else "ok") if result.ok else "FAILED"
            logger.info("[%d/%d] %s (%s): %s", done[0], len(sessions),
                        os.path.relpath(session.document, self.srcdir), session.name, state)

        started = time.monotonic()
        results = verify.run_all(
            sessions, environment, cache=cache, sandbox=self.config.tutorial_runner_sandbox,
            jobs=max(1, self._app.parallel), on_done=progress,
            default_kubectl=self.config.tutorial_runner_kubectl,
        )
        root = Path(self.confdir)     # the project: paths read docs/…
        text = report.text_report(results, root, elapsed=time.monotonic() - started)
        broken = [(os.path.relpath(self.env.doc2path(docname), root), line, message)
                  for docname, found in sorted(collect.broken_of(self.env).items())
                  for line, message in found]
        if broken:
            refused = [f"ERROR {path}:{line}: {message}" for path, line, message in broken]
            text = "\n".join([*refused, "", text, f"{len(broken)} block(s) could not be read"])
        (outdir / "report.txt").write_text(text + "\n", encoding="utf-8")
        (outdir / "junit.xml").write_text(with_refused(report.junit_xml(results, root), broken),
                                          encoding="utf-8")
        for (docname, _), result in zip(pairs, results, strict=True):
            for line, message in problems(result):
                logger.warning(message, location=(docname, line), type="tutorial",
                               subtype="mismatch")
        self.failed = bool(broken) or not all(result.ok for result in results)
        logger.info("%s: %s", "FAILED" if self.failed else "all transcripts hold",
                    text.splitlines()[-1])

    @staticmethod
    def set_status(app: Sphinx, exception: BaseException | None) -> None:
        builder = app.builder
        if exception is None and isinstance(builder, TutorialBuilder) and builder.failed:
            app.statuscode = 1


def with_refused(junit: str, broken: list[tuple[str, int, str]]) -> str:
    """The JUnit XML with one erroring test case for each block the reader refused."""
    if not broken:
        return junit
    suites = ET.fromstring(junit.split("\n", 1)[1])
    suite = suites[0]
    for path, line, message in broken:
        case = ET.SubElement(suite, "testcase", {"classname": path, "name": f"line {line}",
                                                 "file": path, "line": str(line)})
        ET.SubElement(case, "error", {"message": message})
    suite.set("tests", str(int(suite.get("tests", "0")) + len(broken)))
    suite.set("errors", str(int(suite.get("errors", "0")) + len(broken)))
    ET.indent(suites)
    return junit.split("\n", 1)[0] + "\n" + ET.tostring(suites, encoding="unicode") + "\n"


def problems(result: Any) -> list[tuple[int, str]]:
    """(line, message) for each failing step or block: what a build warning shows.  Blocks
    that failed for one reason in a row (a session that could not start) are told once."""
    found: list[tuple[int, str]] = []
    repeated = 0
    for block_result in result.failures:
        failing = [step for step in block_result.steps if not step.ok]
        for step in failing:
            command = str(step.command).split("\n", 1)[0]
            note = f" ({step.note})" if step.note else ""
            found.append((step.line, f"{block_result.status}: $ {command}{note}"))
        if failing:
            continue
        message = f"{block_result.status}: {block_result.message or 'no details'}"
        if found and found[-1][1].startswith(message):
            repeated += 1
            found[-1] = (found[-1][0], f"{message} (and {repeated} later block(s))")
        else:
            repeated = 0
            found.append((block_result.block.line, message))
    return found
