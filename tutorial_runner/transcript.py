"""What each line of a transcript body is, as far as can be told without running it.

:func:`classify` is what the session relies on: it separates what is certainly typed at
the shell (``$ `` lines, lines at one of the environment's own prompts such as
``node $ ``), commentary and ellipses from everything else. Whether an "other" line is
output, more input for an unfinished command or input to an interactive program is
decided live, by what the terminal shows.

:func:`static_input_guess` is for rendering only (which lines a copy button should copy,
which part of a line is a prompt): a heuristic, never used to run anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .model import Block

__all__ = [
    "Line",
    "LineKind",
    "InputGuess",
    "classify",
    "classify_block",
    "static_input_guess",
    "is_incomplete",
    "starts_interactive",
    "INTERACTIVE_PROMPT",
    "HOST_PROMPT",
    "looks_like_input",
]

LineKind = Literal["command", "comment", "ellipsis", "prompted", "other"]
SHELL_PROMPT = "$ "


@dataclass(frozen=True)
class Line:
    kind: LineKind
    index: int          # position in the block's body
    number: int         # 1-based line in the document
    text: str           # as written
    prompt: str = ""    # "$ " for a command, the matched input prompt for a prompted line
    content: str = ""   # the command or input after the prompt; the whole text otherwise


def _is_comment(text: str) -> bool:
    return text.startswith("# ") or text == "#"


def _command(text: str) -> str | None:
    if text.startswith(SHELL_PROMPT):
        return text[len(SHELL_PROMPT):]
    if text.rstrip() == "$":
        return ""
    return None


def classify(body: Sequence[str], input_prompts: Sequence[str] = (), body_line: int = 1) -> list[Line]:
    """Each body line with its kind, body index and document line (``body_line`` + index).

    Commentary is a run of ``# `` lines directly before a command (or prompted) line, or
    at the very end of the block; any other ``# `` line is an ordinary line (a file
    printed by ``cat``, say).
    """
    prompts = sorted(input_prompts, key=len, reverse=True)
    lines: list[Line] = []
    for index, text in enumerate(body):
        number = body_line + index
        command = _command(text)
        if command is not None:
            lines.append(Line("command", index, number, text, SHELL_PROMPT, command))
            continue
        prompt = next((p for p in prompts if text.startswith(p)), None)
        if prompt is not None:
            lines.append(Line("prompted", index, number, text, prompt, text[len(prompt):]))
        elif text == "...":
            lines.append(Line("ellipsis", index, number, text, "", text))
        else:
            lines.append(Line("other", index, number, text, "", text))
    _mark_commentary(lines)
    return lines


def _mark_commentary(lines: list[Line]) -> None:
    end = len(lines)
    index = end - 1
    while index >= 0:
        if not (lines[index].kind == "other" and _is_comment(lines[index].text)):
            index -= 1
            continue
        start = index
        while start > 0 and lines[start - 1].kind == "other" and _is_comment(lines[start - 1].text):
            start -= 1
        after = lines[index + 1] if index + 1 < end else None
        if after is None or after.kind in ("command", "prompted"):
            for k in range(start, index + 1):
                line = lines[k]
                lines[k] = Line("comment", line.index, line.number, line.text, "", line.text)
        index = start - 1


def classify_block(block: Block, input_prompts: Sequence[str] = ()) -> list[Line]:
    return classify(block.body, input_prompts, block.body_line)


# -- rendering guesses ----------------------------------------------------------------------


@dataclass(frozen=True)
class InputGuess:
    """How to render one line: ``prompt`` (not selectable) then ``input``, or output."""

    kind: Literal["command", "continuation", "interactive", "prompted", "comment", "ellipsis",
                  "output"]
    prompt: str
    input: str

    @property
    def is_input(self) -> bool:
        return self.kind in ("command", "continuation", "interactive", "prompted")


# Prompts interactive programs commonly show: busybox/ash `[ root@curl-…:/ ]$ ` and `/ # `,
# bash `root@host:/# ` or `user@host:~$ `, `bash-5.1# `, `sh-4.4$ `, and a few REPLs.
INTERACTIVE_PROMPT = re.compile(
    r"""^(?:
        \[\ ?[^\]\n]*\]\ ?[$#]\               # [ root@curl-131556218-9fnch:/ ]$
      | [\w.-]+@[\w.-]+:[^\s]*\ ?[$#]\        # root@curl:/# , user@host:~$
      | /[^\s]*\ [$#]\                        # / # , /app $
      | (?:ba)?sh-\d+(?:\.\d+)*[$#]\          # bash-5.1# , sh-4.4$
      | (?:mysql|psql|redis[^>]*|\w+=?)>\     # mysql> , redis 127.0.0.1:6379>
      | >>>\                                  # python
    )""",
    re.VERBOSE,
)
# A command on a named host of the cluster, as environments offer it: ``node $ ip a``.
HOST_PROMPT = re.compile(r"^[\w.-]+ \$(?: |$)")


def looks_like_input(text: str) -> bool:
    """Whether a line reads as typed input: a command, a host prompt or a program's prompt.

    The directive uses it to reject a transcript that opens with output.
    """
    return _command(text) is not None or bool(HOST_PROMPT.match(text) or INTERACTIVE_PROMPT.match(text))


_STDIN_LONG = re.compile(r"(?:^|\s)--stdin(?:=true)?(?=\s|$)")
_TTY_LONG = re.compile(r"(?:^|\s)--tty(?:=true)?(?=\s|$)")


def starts_interactive(command: str) -> bool:
    """Whether a command attaches a terminal to a program (``-it``, ``-i --tty`` …)."""
    words = command.split(" -- ")[0].split()
    short = {c for w in words if re.fullmatch(r"-[a-zA-Z]+", w) for c in w[1:]}
    stdin = "i" in short or bool(_STDIN_LONG.search(command))
    tty = "t" in short or bool(_TTY_LONG.search(command))
    return stdin and tty


_HEREDOC = re.compile(r"(?<!<)<<(-?)(?!<)\s*(['\"]?)([\w.-]+)\2")
_OPENERS = {"for": "done", "while": "done", "until": "done", "select": "done", "if": "fi",
            "case": "esac", "{": "}"}
_CLOSERS = {"done", "fi", "esac", "}"}
_COMMAND_POSITION_AFTER = {"do", "then", "else", "elif", "if", "while", "until", "!", "{", "in"}
_SEPARATORS = re.compile(r"(\|\||&&|;;|[;&|()\n])")


def _unquoted(text: str) -> tuple[str, bool]:
    """The text with quoted parts blanked and comments dropped; and whether a quote is open."""
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        c = text[i]
        if quote == "'":
            if c == "'":
                quote = ""
            out.append(" ")
        elif quote == '"':
            if c == "\\" and i + 1 < len(text):
                out.append("  ")
                i += 2
                continue
            if c == '"':
                quote = ""
            out.append(" ")
        elif c == "\\" and i + 1 < len(text):
            out.append("  " if text[i + 1] != "\n" else " \n")
            i += 2
            continue
        elif c in "'\"":
            quote = c
            out.append(" ")
        elif c == "#" and (i == 0 or text[i - 1].isspace()):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out), bool(quote)


def is_incomplete(text: str) -> bool:
    """Whether shell input (possibly several lines) still needs more lines: a trailing
    backslash or operator, an open quote, here-document, compound command or ``$(``."""
    lines = text.split("\n")
    for m in _HEREDOC.finditer(text):
        start = text[: m.start()].count("\n")
        delimiter = m.group(3)
        rest = lines[start + 1:]
        if not any((r.lstrip("\t") if m.group(1) else r) == delimiter for r in rest):
            return True
    plain, open_quote = _unquoted(_without_heredoc_bodies(text))
    if open_quote:
        return True
    stripped = plain.rstrip()
    last = text.rstrip("\n").rsplit("\n", 1)[-1]
    trailing_backslashes = len(last) - len(last.rstrip("\\"))
    if trailing_backslashes % 2 or stripped.endswith(("|", "&&", "||")):
        return True
    depth: list[str] = []
    parens = 0
    at_command = True
    for token in _SEPARATORS.split(plain):
        if not token.strip() and token != "\n":
            continue
        if _SEPARATORS.fullmatch(token):
            if token == "(" and not (depth and depth[-1] == "esac"):
                parens += 1
            elif token == ")" and not (depth and depth[-1] == "esac"):
                parens -= 1
            at_command = True
            continue
        for word in token.split():
            if at_command and word in _OPENERS:
                depth.append(_OPENERS[word])
            elif at_command and word in _CLOSERS and depth and depth[-1] == word:
                depth.pop()
            at_command = word in _COMMAND_POSITION_AFTER
    return bool(depth) or parens > 0


def _without_heredoc_bodies(text: str) -> str:
    lines = text.split("\n")
    keep: list[str] = []
    waiting: list[tuple[str, bool]] = []
    for line in lines:
        if waiting:
            delimiter, tabs = waiting[0]
            if (line.lstrip("\t") if tabs else line) == delimiter:
                waiting.pop(0)
            continue
        keep.append(line)
        waiting += [(m.group(3), bool(m.group(1))) for m in _HEREDOC.finditer(line)]
    return "\n".join(keep)


def _attaches_terminal(command: str) -> bool:
    """A whole (possibly multi-line) command that leaves a program at the terminal; a
    loop or condition around ``exec -it`` returns to the shell."""
    first = command.lstrip().split(None, 1)[0] if command.strip() else ""
    return first not in _OPENERS and starts_interactive(command.replace("\\\n", " "))


def static_input_guess(lines: Sequence[Line]) -> list[InputGuess]:
    """For each classified line: is it probably typed (and after which prompt)?"""
    guesses: list[InputGuess] = []
    pending = ""            # the shell input so far, while it is incomplete
    # An interactive program is probably in front. A block may open inside one that an
    # earlier block started (its first line is then a program's prompt).
    interactive = True
    for line in lines:
        if line.kind == "command":
            pending = line.content
            interactive = False
            guesses.append(InputGuess("command", line.prompt, line.content))
            if not is_incomplete(pending):
                interactive = _attaches_terminal(pending)
                pending = ""
            continue
        if line.kind == "prompted":
            pending, interactive = "", False
            guesses.append(InputGuess("prompted", line.prompt, line.content))
            continue
        if line.kind == "comment":
            guesses.append(InputGuess("comment", "", line.text))
            continue
        if line.kind == "ellipsis":
            guesses.append(InputGuess("ellipsis", "", line.text))
            continue
        if pending:
            prompt = "> " if line.text.startswith("> ") else ""
            typed = line.text[len(prompt):]
            pending += "\n" + typed
            if not is_incomplete(pending):
                interactive = _attaches_terminal(pending)
                pending = ""
            guesses.append(InputGuess("continuation", prompt, typed))
            continue
        previous = guesses[-1] if guesses else None
        if line.text.startswith("> ") and previous and previous.kind in ("command", "continuation"):
            guesses.append(InputGuess("continuation", "> ", line.text[2:]))
            continue
        match = INTERACTIVE_PROMPT.match(line.text) if interactive else None
        if match:
            guesses.append(InputGuess("interactive", match.group(), line.text[match.end():]))
            continue
        guesses.append(InputGuess("output", "", line.text))
    return guesses
