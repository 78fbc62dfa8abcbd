"""A stand-in for ``tutorial_runner.engine.run_session``, with the engine's result classes.

It runs nothing: a block's status follows from its options (``:skip:`` skipped,
``:expect-drift:`` drift) and from its text (``FAIL`` in a command: failed), so that the
Sphinx side can be tested on every status and counted for replays.
"""

from __future__ import annotations

from typing import Any

from tutorial_runner.engine import BlockResult, SessionResult, StepResult
from tutorial_runner.model import Block, Session


class FakeEngine:
    SessionResult, BlockResult, StepResult = SessionResult, BlockResult, StepResult

    def __init__(self) -> None:
        self.runs: list[tuple[str, str]] = []
        self.verdict_override: str | None = None   # every transcript gets this status

    def run_session(self, session: Session, environment: Any, sandbox: str = "auto",
                    cache: Any = None, progress: Any = None, kubectl: str | None = None,
                    default_kubectl: str | None = None) -> SessionResult:
        self.runs.append((session.document.name, session.name))
        self.kubectl = kubectl or session.kubectl or default_kubectl
        results = [self._block(b) for b in session.blocks]
        if self.verdict_override:
            for result in results:
                if result.block.kind == "transcript":
                    result.status = self.verdict_override
        return SessionResult(session, results, "plain", session.cluster)

    @staticmethod
    def _block(block: Block) -> BlockResult:
        if block.kind == "file":
            return BlockResult(block, "verified")
        if block.options.skip:
            return BlockResult(block, "skipped", block.options.skip)
        steps = []
        failed = False
        for index, text in enumerate(block.body):
            if not text.startswith("$ "):
                continue
            command = text[2:]
            wrong = "FAIL" in command
            failed |= wrong
            live = ["live says hello"] if block.options.expect_drift else ["x"]
            steps.append(StepResult(
                block.body_line + index, command, ["x"], live, not wrong,
                ["--- expected", "+++ live", "-x", "+y"] if wrong else [],
                {"10.0.0.1": "10.0.0.9"} if wrong else {},
            ))
        if failed:
            return BlockResult(block, "failed", "", steps)
        if block.options.expect_drift:
            return BlockResult(block, "drift", block.options.expect_drift, steps)
        return BlockResult(block, "verified", "", steps)
