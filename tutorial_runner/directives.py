"""The ``transcript`` and ``tutorial-file`` directives as plain docutils.

Both parsers (docutils for reST, myst-parser for MyST) and the Sphinx extension share
these classes, so they import nothing from Sphinx. Each directive turns its text into a
:class:`~tutorial_runner.model.Block` and returns one node carrying it.

Options are validated here rather than by docutils' option machinery so that every
mistake reads the same in both markups and can be made fatal: when the document's
settings have ``tutorial_runner_strict`` set (as :mod:`tutorial_runner.document` does), an
invalid directive raises :class:`~tutorial_runner.model.DocumentError`; otherwise (Sphinx)
it becomes an error system message at the right line and the build goes on.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive

from .model import Block, BlockOptions, DocumentError
from .transcript import looks_like_input

__all__ = [
    "TranscriptDirective",
    "TutorialFileDirective",
    "transcript_node",
    "tutorial_file_node",
    "BlockError",
    "STRICT_SETTING",
]

STRICT_SETTING = "tutorial_runner_strict"

TRANSCRIPT_OPTIONS = (
    "session", "cluster", "kubectl", "vars", "unordered", "exact-whitespace",
    "timeout", "hide", "skip", "expect-drift", "expect-error",
)
FILE_OPTIONS = ("session", "hide")
FLAG_OPTIONS = frozenset({"unordered", "exact-whitespace", "hide", "expect-error"})

class transcript_node(nodes.literal_block):
    """A transcript; ``node["block"]`` is its :class:`Block`, its text the body."""


class tutorial_file_node(nodes.literal_block):
    """A file written into the session's directory; ``node["block"]`` is its :class:`Block`."""


class BlockError(Exception):
    """A mistake in one directive, at an absolute line of its source."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def _is_myst(state_machine: object) -> bool:
    try:
        from myst_parser.mocking import MockStateMachine
    except ImportError:
        return False
    return isinstance(state_machine, MockStateMachine)


def _raw(value: str | None) -> str | None:
    return value


class _AnyOption(dict):
    """Accepts every option name, so unknown ones reach our own validation."""

    def __missing__(self, key: str) -> Callable[[str | None], str | None]:
        return _raw


class _BlockDirective(Directive):
    """What both directives share: options, line numbers, errors."""

    has_content = True
    final_argument_whitespace = False
    option_spec: ClassVar[dict[str, Any]] = _AnyOption(
        {name: _raw for name in TRANSCRIPT_OPTIONS}
    )
    allowed_options: ClassVar[tuple[str, ...]] = ()
    node_class: ClassVar[type[nodes.literal_block]] = nodes.literal_block

    def run(self) -> list[nodes.Node]:
        source, _ = self.state_machine.get_source_and_line(self.lineno)
        path = Path(source or self.state.document.get("source") or "<string>")
        try:
            block = self.make_block(path)
        except BlockError as error:
            text = f"{self.name}: {error.message}"
            if getattr(self.state.document.settings, STRICT_SETTING, False):
                raise DocumentError(path, error.line, text) from None
            message = self.state.document.reporter.error(text, line=error.line)
            return [message]
        node = self.node_class(block.text, block.text)
        node["block"] = block
        node.source, node.line = str(path), block.line
        return [node]

    def make_block(self, path: Path) -> Block:
        raise NotImplementedError

    # -- helpers -------------------------------------------------------------------

    def body_and_line(self) -> tuple[tuple[str, ...], int]:
        """The body without surrounding blank lines, and the line of its first line.

        reST gives ``content_offset`` as the absolute 0-based line of the content;
        myst-parser gives it relative to the directive's line (with its own stand-in
        state machine), so the two are told apart by that.
        """
        lines = list(self.content)
        if not _is_myst(self.state_machine):
            first = self.content_offset + 1
            if self.content.items:
                first = self.content.items[0][1] + 1
        else:
            first = self.lineno + self.content_offset + 1
        while lines and not lines[0].strip():
            lines.pop(0)
            first += 1
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines:
            first = self.lineno + 1
        return tuple(line.rstrip("\r") for line in lines), first

    def block_options(self) -> BlockOptions:
        for name in self.options:
            if name not in self.allowed_options:
                allowed = ", ".join(f":{o}:" for o in self.allowed_options)
                raise BlockError(self.lineno, f"unknown option :{name}: (allowed: {allowed})")
        values: dict[str, Any] = {}
        for name, raw in self.options.items():
            value = (raw or "").strip()
            if name in FLAG_OPTIONS:
                if value:
                    raise BlockError(self.lineno, f":{name}: takes no value (got {value!r})")
                values[name.replace("-", "_")] = True
            elif name == "timeout":
                values["timeout"] = _timeout(value, self.lineno)
            elif name == "vars":
                values["vars"] = _vars(value, self.lineno)
            elif not value:
                what = "a reason" if name in ("skip", "expect-drift") else "a value"
                raise BlockError(self.lineno, f":{name}: needs {what}")
            else:
                values[name.replace("-", "_")] = value
        if values.get("skip") and values.get("expect_drift"):
            raise BlockError(self.lineno, ":skip: and :expect-drift: exclude each other")
        return BlockOptions(**values)


def _timeout(value: str, line: int) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (seconds > 0 and math.isfinite(seconds)):
        raise BlockError(line, f":timeout: must be a positive number of seconds (got {value!r})")
    return seconds


def _vars(value: str, line: int) -> tuple[str, ...]:
    tokens = tuple(value.split())
    if not tokens:
        raise BlockError(line, ":vars: needs at least one token")
    for token in tokens:
        name, eq, documented = token.partition("=")
        if not name or (eq and not documented):
            raise BlockError(line, f":vars: token {token!r} must be TOKEN or TOKEN=DOCUMENTED_VALUE")
    return tokens


def check_file_name(name: str, line: int) -> str:
    """A relative path that stays inside the session's working directory."""
    if not name or not name.strip():
        raise BlockError(line, "needs a file name")
    if len(name.split()) != 1:
        raise BlockError(line, f"takes one file name, without spaces (got {name!r})")
    if "\\" in name or "\0" in name or name.startswith("~"):
        raise BlockError(line, f"unsafe file name {name!r}")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or str(path) == ".":
        raise BlockError(line, f"unsafe file name {name!r}: must be relative, without '..'")
    return str(path)


class TranscriptDirective(_BlockDirective):
    """``transcript``: a shell session as a terminal shows it."""

    required_arguments = 0
    optional_arguments = 0
    allowed_options = TRANSCRIPT_OPTIONS
    node_class = transcript_node

    def make_block(self, path: Path) -> Block:
        options = self.block_options()
        body, body_line = self.body_and_line()
        if not body:
            raise BlockError(self.lineno, "empty transcript")
        check_opening(body, body_line)
        return Block("transcript", path, self.lineno, body, body_line, options)


def check_opening(body: tuple[str, ...], body_line: int) -> None:
    """The first line after any leading commentary must be input, not output."""
    for index, line in enumerate(body):
        if line.startswith("# ") or line == "#":
            continue
        if not looks_like_input(line):
            raise BlockError(
                body_line + index,
                f"a transcript must begin with a '$ ' command, not output: {line!r}",
            )
        return
    raise BlockError(body_line, "a transcript of commentary only: no '$ ' command")


class TutorialFileDirective(_BlockDirective):
    """``tutorial-file NAME``: a file the session's next command can use."""

    # Optional for docutils so that a missing name is reported like every other mistake.
    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = _AnyOption({name: _raw for name in FILE_OPTIONS})
    allowed_options = FILE_OPTIONS
    node_class = tutorial_file_node

    def make_block(self, path: Path) -> Block:
        name = check_file_name(self.arguments[0] if self.arguments else "", self.lineno)
        options = self.block_options()
        body, body_line = self.body_and_line()
        return Block("file", path, self.lineno, body, body_line, options, filename=name)


DIRECTIVES: dict[str, type[Directive]] = {
    "transcript": TranscriptDirective,
    "tutorial-file": TutorialFileDirective,
}
