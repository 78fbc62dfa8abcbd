"""``tutorial-runner update``: expected output that no longer holds, rewritten in place.

Only the expected lines of failing steps change; every other byte of the document stays
as it was, line endings and indentation included.  The file is replaced atomically.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tutorial_runner.engine import SessionResult
from tutorial_runner.match import Bindings, rewrite_expected


@dataclass(frozen=True)
class Edit:
    path: Path
    first: int              # 1-based document line of the first expected line
    old: tuple[str, ...]    # the expected lines as the block has them (without indentation)
    new: tuple[str, ...]
    indent_line: int        # a line of the block whose indentation the new lines take
    indent_text: str        # that line's text inside the block
    block_line: int = 0     # the directive's line (MyST: its opening fence)


class UpdateRefused(ValueError):
    """The rewritten document would not read back as the same blocks."""


# A line that may close a MyST fence: up to three spaces, then only backticks or tildes.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")
_OPENING = re.compile(r"^(\s*)(`{3,}|~{3,}|:{3,})")


def edits_for(result: SessionResult) -> list[Edit]:
    """The rewrites that would make the failing steps of ``result`` match."""
    edits: list[Edit] = []
    for block_result in result.blocks:
        if block_result.status != "failed":
            continue  # drift is announced, errors have nothing live to write
        block = block_result.block
        options = block.options
        for step in block_result.steps:
            if step.ok or step.note or step.state not in ("prompt", "interactive"):
                continue
            new = rewrite_expected(step.expected, step.live, Bindings.of(step.bindings),
                                   vars=options.vars, unordered=options.unordered,
                                   exact_whitespace=options.exact_whitespace)
            first = step.line + step.command.count("\n") + 1 if step.command else step.line
            if list(new) == list(step.expected):
                continue
            index = step.line - block.body_line
            edits.append(Edit(block.path, first, tuple(step.expected), tuple(new),
                              step.line, block.body[index] if 0 <= index < len(block.body) else "",
                              block.line))
    return edits


def rewrite_text(text: str, edits: list[Edit]) -> tuple[str, int]:
    """``text`` with ``edits`` applied (bottom up); and how many applied."""
    text, done = _rewrite(text, edits)
    return text, len(done)


def _rewrite(text: str, edits: list[Edit]) -> tuple[str, list[Edit]]:
    lines = text.split("\n")
    done: list[Edit] = []
    for edit in edits:
        _lengthen_fence(lines, edit)
    for edit in sorted(edits, key=lambda e: e.first, reverse=True):
        anchor = lines[edit.indent_line - 1] if 0 < edit.indent_line <= len(lines) else ""
        anchor_plain = anchor[:-1] if anchor.endswith("\r") else anchor
        if not anchor_plain.endswith(edit.indent_text):
            continue
        indent = anchor_plain[: len(anchor_plain) - len(edit.indent_text)]
        eol = "\r" if anchor.endswith("\r") else ""
        start = edit.first - 1
        current = [line[:-1] if line.endswith("\r") else line
                   for line in lines[start:start + len(edit.old)]]
        if [c.strip() for c in current] != [o.strip() for o in edit.old]:
            continue  # the document changed under us: leave it alone
        replacement = [(indent + new if new else "") + eol for new in edit.new]
        lines[start:start + len(edit.old)] = replacement
        done.append(edit)
    return "\n".join(lines), done


def _lengthen_fence(lines: list[str], edit: Edit) -> None:
    """Live output holding a line that would close the block's MyST fence (```): the fence
    (opening and closing) grows one longer than any such line, so the block stays whole."""
    if not 0 < edit.block_line <= len(lines):
        return
    opening = _OPENING.match(lines[edit.block_line - 1])
    if opening is None or opening.group(2)[0] == ":":
        return
    mark = opening.group(2)
    char = mark[0]
    runs = [len(m.group(1)) for line in edit.new if (m := _FENCE.match(line)) and m.group(1)[0] == char]
    if not runs or max(runs) < len(mark):
        return
    longer = char * (max(runs) + 1)
    for at in range(edit.block_line, len(lines)):
        closing = _FENCE.match(lines[at].rstrip("\r"))
        if closing and closing.group(1)[0] == char and len(closing.group(1)) >= len(mark):
            lines[at] = lines[at].replace(closing.group(1), longer, 1)
            break
    else:
        return
    indent = opening.group(1)
    lines[edit.block_line - 1] = indent + longer + lines[edit.block_line - 1][len(indent) + len(mark):]


def _same_blocks(before: str, after: str, path: Path, done: list[Edit]) -> bool:
    """The same blocks, each holding exactly its old lines plus what the edits wrote."""
    from tutorial_runner.document import parse_text
    from tutorial_runner.model import DocumentError

    try:
        old, new = parse_text(before, path).blocks, parse_text(after, path).blocks
    except DocumentError:
        return False
    if [(b.kind, b.line, b.filename, b.options) for b in old] != \
            [(b.kind, b.line, b.filename, b.options) for b in new]:
        return False
    # Blank lines at a block's end are dropped by the reader: count the others.
    def filled(lines) -> int:
        return sum(1 for line in lines if line.strip())
    grown = sum(filled(edit.new) - filled(edit.old) for edit in done)
    return sum(filled(b.body) for b in new) == sum(filled(b.body) for b in old) + grown


def apply_edits(path: Path, edits: list[Edit]) -> int:
    """Rewrite ``path`` atomically (a temporary file beside its real target, its mode kept).

    Raises ``UpdateRefused`` when the new text would not read back as the same blocks."""
    if not edits:
        return 0
    # A link (docs/README.md -> ../README.md) stays a link: its target is rewritten.
    path = Path(os.path.realpath(path))
    data = path.read_bytes()
    original = data.decode("utf-8")
    text, done = _rewrite(original, edits)
    if not done:
        return 0
    applied = len(done)
    if not _same_blocks(original, text, path, done):
        raise UpdateRefused(f"{path}: not rewritten: the live output would change the "
                            "document's blocks (a line that closes a block?)")
    mode = os.stat(path).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return applied
