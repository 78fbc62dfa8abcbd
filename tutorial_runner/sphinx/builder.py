"""The ``tutorial`` builder: verifies every session of the site (``make doctest``).

It writes no pages.  Once every document is read it replays each session through the
engine (unchanged sessions come from the result cache), prints a summary, writes
``report.txt`` and ``junit.xml`` into its output directory, and makes the build fail on
any mismatch, naming the file and the line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Set
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.util import logging

from . import collect, report, verify

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
        sessions = [s for _, s in pairs]
        outdir = Path(self.outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        if not sessions:
            logger.info("tutorial: no transcripts found")
            report.write(outdir, [], [], "")
            return
        if verify.engine_module() is None:
            logger.error("tutorial: the runner's engine (tutorial_runner.engine) is not installed")
            self.failed = True
            return
        environment = verify.environment(self.config.tutorial_runner_environment)
        cache = verify.open_cache(Path(self.confdir, self.config.tutorial_runner_cache_dir))
        done = Counter[str]()

        def progress(session: Any, result: Any) -> None:
            done["n"] += 1
            state = "ok" if not isinstance(result, BaseException) and result.ok else "FAILED"
            logger.info("[%d/%d] %s (%s): %s", done["n"], len(sessions),
                        _relative(session.document, self.srcdir), session.name, state)

        results = verify.run_all(
            sessions, environment, cache=cache, sandbox=self.config.tutorial_runner_sandbox,
            jobs=max(1, self._app.parallel), on_done=progress,
        )
        describe = {s.name + str(s.document): verify.describe(environment, s.cluster)
                    for s in sessions}
        text, ok = report.write(outdir, sessions, results, self.srcdir, describe)
        for (docname, session), result in zip(pairs, results, strict=True):
            for line, message in report.problems(session, result):
                logger.warning(message, location=(docname, line), type="tutorial",
                               subtype="mismatch")
        for line in text.splitlines()[-2:]:     # the counts and the verdict
            logger.info(line)
        self.failed = not ok

    @staticmethod
    def set_status(app: Sphinx, exception: BaseException | None) -> None:
        builder = app.builder
        if exception is None and isinstance(builder, TutorialBuilder) and builder.failed:
            app.statuscode = 1


def _relative(path: Path, base: str | Path) -> str:
    try:
        return str(Path(path).relative_to(Path(base).parent))
    except ValueError:
        return str(path)
