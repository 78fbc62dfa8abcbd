"""Which page input a reader's finished command was, and whether its output matches.

The live page knows a session's inputs in page order: each ``$ `` command (with the
continuation lines bash will ask for) and each line at one of the environment's own
prompts (``node $ ``).  A finished command counts as a page input when its text is that
input with the bindings learned so far substituted, exactly as ``check`` would have typed
it: the input clicked in the page, else the next one not yet run.  Its output is matched
with :func:`tutorial_runner.match.match_output` and the same bindings, so the page shows
what ``check`` would say.  No I/O here: the server feeds it text.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from tutorial_runner.match import EMPTY, Bindings, match_output, substitute
from tutorial_runner.model import Block, Session
from tutorial_runner.transcript import classify_block, static_input_guess

OK, FAILED, DRIFT = "ok", "failed", "drift"


@dataclass(frozen=True)
class PageInput:
    """One input of the page, typed at bash's prompt."""

    number: int                  # position among the session's inputs
    block: int                   # index of its block in the session
    index: int                   # body index of its first line in the block
    line: int                    # document line
    documented: tuple[str, ...]  # the input as documented: the command and its continuation lines
    expected: tuple[str, ...]    # the documented output up to the next input at bash's prompt
    prefix: tuple[str, ...] = () # prompted lines: the argv the environment runs them with
    hidden: bool = False         # a ``:hide:`` block: run by the page itself, never shown


@dataclass
class LiveResult:
    """What the page shows of one checked input."""

    input: PageInput
    status: str                         # ok | failed | drift (a mismatch the page announces)
    typed: str
    live: list[str]
    diff: list[str] = field(default_factory=list)
    bound: dict[str, str] = field(default_factory=dict)     # learned by this input
    bindings: dict[str, str] = field(default_factory=dict)  # all in force after it

    def as_message(self) -> dict[str, object]:
        return {"type": "step", "block": self.input.block, "index": self.input.index,
                "line": self.input.line, "number": self.input.number, "status": self.status,
                "typed": self.typed,
                "diff": self.diff, "bound": self.bound, "bindings": self.bindings}


def page_inputs(session: Session, input_prompts: dict[str, list[str]]) -> list[PageInput]:
    """Every input of ``session`` in page order; skipped blocks have none."""
    found: list[PageInput] = []
    for block_index, block in enumerate(session.blocks):
        if block.kind != "transcript" or block.options.skip is not None:
            continue
        lines = classify_block(block, list(input_prompts))
        guesses = static_input_guess(lines)
        starts = [k for k, line in enumerate(lines) if line.kind in ("command", "prompted")]
        for position, k in enumerate(starts):
            end = starts[position + 1] if position + 1 < len(starts) else len(lines)
            line = lines[k]
            documented = [line.content]
            j = k + 1
            while j < end and guesses[j].kind == "continuation":
                documented.append(guesses[j].input)
                j += 1
            stop = j
            while stop < end and lines[stop].kind in ("other", "ellipsis"):
                stop += 1
            expected = tuple(entry.text for entry in lines[j:stop])
            prefix = tuple(input_prompts[line.prompt]) if line.kind == "prompted" else ()
            found.append(PageInput(len(found), block_index, line.index, line.number,
                                   tuple(documented), expected, prefix, block.options.hide))
    return found


class LiveChecker:
    """The page's inputs of one session, the bindings learned so far, and what ran."""

    def __init__(self, session: Session, input_prompts: dict[str, list[str]] | None = None):
        self.session = session
        self.inputs = page_inputs(session, dict(input_prompts or {}))
        self.bindings: Bindings = EMPTY
        self.cursor = 0                     # the next input not yet run
        self.results: dict[int, LiveResult] = {}
        self.files_written = -1             # index of the last block whose files are written

    def block(self, number: int) -> Block:
        return self.session.blocks[self.inputs[number].block]

    def typed(self, number: int) -> str:
        """Input ``number`` as it is typed now: documented values replaced by live ones."""
        entry = self.inputs[number]
        options = self.block(number).options
        parts = [substitute(text, self.bindings, options.vars) for text in entry.documented]
        if entry.prefix:
            return shlex.join(entry.prefix) + " " + shlex.quote(parts[0])
        return "\n".join(parts)

    def next_input(self) -> PageInput | None:
        return self.inputs[self.cursor] if self.cursor < len(self.inputs) else None

    def find(self, block: int, index: int) -> PageInput | None:
        return next((e for e in self.inputs if e.block == block and e.index == index), None)

    def rest_of(self, block: int) -> list[int]:
        """The inputs of ``block`` from the next one not run (or its first) to its end."""
        numbers = [e.number for e in self.inputs if e.block == block]
        pending = [n for n in numbers if n >= self.cursor]
        return pending or numbers

    def claim(self, text: str, clicked: int | None = None) -> int | None:
        """The page input a finished command was, or None for the reader's own."""
        text = _normal(text)
        for number in ((clicked,) if clicked is not None else ()) + (self.cursor,):
            if number is not None and 0 <= number < len(self.inputs) \
                    and _normal(self.typed(number)) == text:
                return number
        return None

    def check(self, number: int, live: list[str]) -> LiveResult:
        """Match input ``number``'s live output; the bindings and the cursor move on."""
        entry = self.inputs[number]
        options = self.block(number).options
        typed = self.typed(number)
        before = self.bindings
        result = match_output(list(entry.expected), live, before, vars=options.vars,
                              unordered=options.unordered,
                              exact_whitespace=options.exact_whitespace)
        self.bindings = result.bindings
        if result.ok:
            status = OK
        elif options.expect_drift is not None:
            status = DRIFT
        else:
            status = FAILED
        bound = {doc: live_value for doc, live_value in result.bindings.items()
                 if before.get(doc) != live_value}
        outcome = LiveResult(entry, status, typed, list(live), list(result.diff), bound,
                             result.bindings.as_dict())
        self.results[number] = outcome
        self.cursor = max(self.cursor, number + 1)
        return outcome

    def files_due(self, upto: int | None = None) -> list[Block]:
        """``tutorial-file`` blocks the page has reached and not written yet: those before
        input ``upto`` (default: the next input), or all of them past the last input."""
        if upto is None:
            upto = self.cursor
        last = self.inputs[upto].block if upto < len(self.inputs) else len(self.session.blocks)
        due = [block for index, block in enumerate(self.session.blocks)
               if self.files_written < index < last and block.kind == "file"
               and block.options.skip is None]
        self.files_written = max(self.files_written, last - 1)
        return due


def _normal(text: str) -> str:
    """Commands compare without surrounding blanks and trailing blanks of each line, and
    without backslash-newlines (bash's history keeps such a command as one line)."""
    text = text.replace("\\\n", "")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))
