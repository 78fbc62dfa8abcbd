"""Which lines of a transcript are input, output or commentary, for rendering.

The directive's static rules decide (SPEC section 1): ``$ `` commands, prompts of
interactive programs and nodes, ``> `` continuations, ``# `` commentary runs before a
command or at the end, ``...``; everything else is output.
"""

from __future__ import annotations

import re

from ..model import Block
from .render import ConsoleLine

# A prompt, then the input: "$ ls", "node $ ip a", "[ root@pod:/ ]$ nslookup x",
# "root@pod:/# ls".  A bare "$" is a command line with no command.
_PROMPT = re.compile(
    r"""^(?P<prompt>
        \$(?:\ |$)
      | [\w.-]+\ \$(?:\ |$)
      | \[\ ?[^\]\s]+@[^\]]*\][$#]\ ?
      | [\w.-]+@[\w.-]+:\S*[$#]\
    )""",
    re.VERBOSE,
)
_CONTINUATION = "> "


def _is_commentary_line(line: str) -> bool:
    return line == "#" or line.startswith("# ")


def classify(body: tuple[str, ...] | list[str]) -> list[ConsoleLine]:
    lines: list[ConsoleLine] = []
    after_input = False
    index = 0
    while index < len(body):
        line = body[index]
        if _is_commentary_line(line):
            end = index
            while end < len(body) and _is_commentary_line(body[end]):
                end += 1
            if end == len(body) or _PROMPT.match(body[end]):
                lines.extend(ConsoleLine("commentary", text) for text in body[index:end])
                index, after_input = end, False
                continue
        match = _PROMPT.match(line)
        if match:
            prompt = match.group("prompt")
            lines.append(ConsoleLine("input", line[len(prompt):], prompt))
            after_input = True
        elif after_input and line.startswith(_CONTINUATION):
            lines.append(ConsoleLine("input", line[len(_CONTINUATION):], _CONTINUATION))
        elif line == "...":
            lines.append(ConsoleLine("ellipsis", line))
            after_input = False
        else:
            lines.append(ConsoleLine("output", line))
            after_input = False
        index += 1
    return lines


def block_lines(block: Block) -> list[ConsoleLine]:
    return classify(block.body)
