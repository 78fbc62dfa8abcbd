"""The command lines the five guides print, and the command lines our pages run.

The issue's promise is that every command a guide shows is replayed somewhere on the
site; these helpers let a test hold the pages to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tutorial_runner.document import read_documents
from tutorial_runner.model import Block

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"
DOCS_DIR = REPO_ROOT / "docs"

# The guides without a `$ ` prompt (000, 001, 004) print bare command lines; these words
# open them. Prose never starts a line with them in the guides.
COMMAND_WORDS = ("kubectl", "curl", "make", "openssl", "cat", "gcloud", "for", "node $")
_INTERACTIVE_PROMPT = re.compile(r"^\[ ?[^\]\s]+@[^\]]*\][$#] ")
_HOST_PROMPT = re.compile(r"^[\w.-]+ \$ ")


@dataclass(frozen=True)
class GuideCommand:
    """One input line of a guide's transcript, where it stands in the guide."""

    guide: str
    line: int
    text: str


def normalize(line: str) -> str:
    """Whitespace runs collapse: a column re-aligned or an indent changed is the same line."""
    return " ".join(line.split())


def _starts_command(line: str, prompted: bool) -> bool:
    if prompted:
        return line.startswith("$ ")
    if _INTERACTIVE_PROMPT.match(line) or line.startswith("$ "):
        return True
    return any(line == word or line.startswith(word + " ") for word in COMMAND_WORDS)


def guide_commands(path: Path) -> list[GuideCommand]:
    """Input lines of one guide: commands, their `\\` continuations and a `for` loop's body.

    A guide whose transcripts use `$ ` prompts (002) is read by its prompts only, so that
    its output lines that happen to begin with a command word do not count.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    prompted = any(line.startswith("$ ") for line in lines) and sum(
        line.startswith("$ ") for line in lines) > 3
    found: list[GuideCommand] = []
    continuing = False
    in_loop = False
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if continuing or in_loop or _starts_command(line.lstrip() if not prompted else line, prompted):
            text = line.strip()
            found.append(GuideCommand(path.name[:3], number, text))
            continuing = text.endswith("\\")
            opens_loop = re.match(r"^(\$ )?for .*; do$", text) is not None
            if opens_loop:
                in_loop = True
            elif in_loop and text == "done":
                in_loop = False
    return found


def _input_forms(line: str) -> set[str]:
    """A page's line as it may stand for a guide's: with or without a `$ ` or `> ` prompt."""
    text = normalize(line)
    forms = {text}
    for prefix in ("$ ", "> "):
        if text.startswith(prefix):
            forms.add(text[len(prefix):])
    return forms


def run_blocks(docs: Path = DOCS_DIR) -> list[Block]:
    """Transcripts that run and are shown: neither skipped nor hidden."""
    blocks: list[Block] = []
    for document in read_documents([docs]):
        blocks.extend(
            block for block in document.blocks
            if block.kind == "transcript" and not block.options.skip and not block.options.hide
        )
    return blocks


def page_lines(blocks: list[Block]) -> set[str]:
    lines: set[str] = set()
    for block in blocks:
        for line in block.body:
            lines |= _input_forms(line)
    return lines


def missing_commands(guides: list[Path], blocks: list[Block]) -> list[GuideCommand]:
    """The guides' command lines that no shown, running transcript contains."""
    present = page_lines(blocks)
    missing = []
    for guide in guides:
        for command in guide_commands(guide):
            if not (_input_forms(command.text) & present):
                missing.append(command)
    return missing
