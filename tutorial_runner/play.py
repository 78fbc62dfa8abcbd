"""``tutorial-runner play``: a reader walks through a tutorial in a live session.

Each block is shown under the nearest heading above it; each command runs when the reader
presses Enter, or the reader types a command of their own first and sees what it prints.
After every step the reader sees the live output and ✓, or how it differs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Callable, TextIO

from tutorial_runner.engine import Hooks, StepResult, run_session
from tutorial_runner.environment import Environment
from tutorial_runner.model import Block, Document
from tutorial_runner.session import ShellSession

_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+<>:._])\1{2,}\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


class Quit(Exception):
    """The reader asked to stop."""


def headings(text: str, suffix: str) -> list[tuple[int, str]]:
    """(line, title) of each section heading of a document."""
    lines = text.split("\n")
    found: list[tuple[int, str]] = []
    if suffix == ".md":
        fence = ""
        for number, line in enumerate(lines, 1):
            opened = _FENCE.match(line)
            if opened:
                marker = opened.group(1)
                if not fence:
                    fence = marker
                elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker):].strip():
                    fence = ""
                continue
            if not fence:
                title = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
                if title:
                    found.append((number, title.group(2)))
        return found
    for number, line in enumerate(lines[1:], 2):
        title = lines[number - 2]
        if _RST_UNDERLINE.match(line) and title.strip() and not title[0].isspace() \
                and len(line.rstrip()) >= len(title.rstrip()) and not _RST_UNDERLINE.match(title):
            found.append((number - 1, title.strip()))
    return found


def nearest_heading(found: list[tuple[int, str]], line: int) -> str:
    title = ""
    for number, text in found:
        if number < line:
            title = text
    return title


class Player(Hooks):
    def __init__(self, document: Document, ask: Callable[[str], str], out: TextIO):
        self.document = document
        self.ask = ask
        self.out = out
        text = document.path.read_text(encoding="utf-8")
        self.headings = headings(text, document.path.suffix)
        self.passed = self.failed = 0

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def block_started(self, block: Block) -> None:
        title = nearest_heading(self.headings, block.line)
        self.say()
        self.say(f"── {title or block.path.name} ({block.path.name}:{block.line}) ──")
        if block.options.skip is not None:
            self.say(f"(not run: {block.options.skip})")
        if block.kind == "file":
            self.say(f"file {block.filename}:")
            for line in block.body:
                self.say(f"  {line}")

    def before_input(self, block: Block, documented: str, typed: str, shell: ShellSession) -> None:
        at_shell = any(line == "$ " + documented.split("\n")[0] for line in block.body)
        while True:
            shown = ("$ " if at_shell else "") + documented.replace("\n", "\n> ")
            try:
                answer = self.ask(f"\n{shown}\n[Enter: run it · or type a command · q: quit] ")
            except EOFError:
                return
            if answer.strip() in ("q", "quit"):
                raise Quit()
            if not answer.strip():
                return
            if not shell.at_prompt:
                self.say("(a program is waiting for this input: press Enter to send it)")
                continue
            own = shell.run(answer, timeout=30)
            self.say(own.text.rstrip("\n"))
            if own.state not in ("prompt",):
                self.say(f"({own.state})")

    def step_done(self, block: Block, step: StepResult) -> None:
        for line in step.live:
            self.say(line)
        if step.ok:
            self.passed += 1
            self.say("✓")
        else:
            self.failed += 1
            if step.note:
                self.say(f"✗ {step.note}")
            self.say("✗ differs from the document:" if step.diff else "✗")
            for row in step.diff:
                self.say(f"  {row}")


def play(document: Document, environment: Environment, sandbox: str = "auto",
         ask: Callable[[str], str] | None = None, out: TextIO | None = None,
         kubectl: str | None = None) -> bool:
    """Walk through every session of ``document``; True when every step matched."""
    out = out or sys.stdout
    if ask is None:
        def ask(question: str) -> str:
            print(question, end="", file=out, flush=True)
            line = sys.stdin.readline()
            if not line:
                raise EOFError
            return line.rstrip("\n")
    player = Player(document, ask, out)
    ok = True
    for session in document.sessions:
        try:
            result = run_session(session, environment, sandbox=sandbox, hooks=player,
                                 kubectl=kubectl, clock="real")
        except Quit:
            player.say("stopped.")
            return ok
        for block in result.blocks:
            if block.status == "error":
                player.say(f"error at {Path(block.block.path).name}:{block.block.line}: {block.message}")
        ok = ok and result.ok
    steps = "step" if player.passed == 1 else "steps"
    player.say(f"\n{player.passed} {steps} matched, {player.failed} differed")
    return ok
