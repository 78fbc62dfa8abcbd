"""Which lines of a transcript are input, output or commentary, for rendering.

The runner's own static reading of the block decides (:mod:`tutorial_runner.transcript`):
``$ `` commands and the environment's input prompts for certain, continuation lines and
interactive programs' prompts as a careful guess; commentary and ``...`` by the rules of
SPEC section 1.  Everything else is output.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Block
from ..transcript import classify, static_input_guess
from .render import ConsoleLine


def console_lines(body: Sequence[str], input_prompts: Sequence[str] = ()) -> list[ConsoleLine]:
    lines: list[ConsoleLine] = []
    for guess in static_input_guess(classify(body, input_prompts)):
        if guess.is_input:
            lines.append(ConsoleLine("input", guess.input, guess.prompt))
        elif guess.kind == "comment":
            lines.append(ConsoleLine("commentary", guess.input))
        elif guess.kind == "ellipsis":
            lines.append(ConsoleLine("ellipsis", guess.input))
        else:
            lines.append(ConsoleLine("output", guess.input))
    return lines


def block_lines(block: Block, input_prompts: Sequence[str] = ()) -> list[ConsoleLine]:
    return console_lines(block.body, input_prompts)
