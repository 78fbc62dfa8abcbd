"""What a run found, for people (a text report) and for CI (JUnit XML, one case per block)."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from tutorial_runner.engine import BlockResult, SessionResult, StepResult

ORDER = ("verified", "failed", "unexpected-match", "error", "drift", "skipped")

# Control characters other than tab and newline would act on the reader's terminal (or
# make JUnit XML ill-formed: XML 1.0 forbids most of them): they are shown as \xNN.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def visible(text: str) -> str:
    """``text`` with every control character but tab and newline written as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def where(path: Path, line: int, root: Path | None = None) -> str:
    return f"{_relative(path, root)}:{line}"


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return os.path.relpath(path, root) if path.is_absolute() else str(path)
        except ValueError:
            pass
    return str(path)


def first_command(result: BlockResult) -> str:
    for step in result.steps:
        if step.command:
            return step.command.split("\n", 1)[0]
    for text in result.block.body:
        if text.startswith("$ "):
            return text[2:]
    return result.block.filename or ""


def step_report(block: BlockResult, step: StepResult, root: Path | None = None) -> list[str]:
    """file:line, the command, the diff of expected against live, the bindings in force."""
    command = step.command.replace("\n", "\n    > ") if step.command else "(no input)"
    prompt = step.prompt if step.command else ""
    lines = [f"{where(block.block.path, step.line, root)}: {prompt}{command}"]
    if step.typed and not step.command.endswith(step.typed):
        lines.append(f"    typed: {step.typed.splitlines()[0] if step.typed else ''}")
    if step.note:
        lines.append(f"    {step.note}")
    lines.extend(f"    {row}" for row in step.diff if not row.startswith("! "))
    if step.bindings:
        bound = ", ".join(f"{doc} → {live}" for doc, live in sorted(step.bindings.items()))
        lines.append(f"    bindings: {bound}")
    return lines


def block_report(result: BlockResult, root: Path | None = None) -> list[str]:
    block = result.block
    heading = f"{result.status.upper()} {where(block.path, block.line, root)}"
    heading += f" (session {block.session_name})"
    lines = [heading]
    if result.message:
        lines.append(f"  {result.message}")
    if result.status in ("failed", "drift", "error"):
        for step in result.steps:
            if not step.ok:
                lines.extend("  " + row for row in step_report(result, step, root))
    return [visible(line) for line in lines]


def counts(results: Iterable[SessionResult]) -> Counter[str]:
    found: Counter[str] = Counter()
    for session in results:
        found.update(block.status for block in session.blocks)
    return found


def summary(results: Sequence[SessionResult], elapsed: float | None = None) -> str:
    found = counts(results)
    parts = [f"{found[status]} {status}" for status in ORDER if found[status]]
    text = ", ".join(parts) or "no blocks"
    text += f" ({len(results)} session{'s' if len(results) != 1 else ''}"
    cached = sum(1 for r in results if r.cached)
    if cached:
        text += f", {cached} from cache"
    if elapsed is not None:
        text += f", {elapsed:.1f} s"
    return text + ")"


def text_report(results: Sequence[SessionResult], root: Path | None = None,
                verbose: bool = False, elapsed: float | None = None) -> str:
    out: list[str] = []
    for session in results:
        for block in session.blocks:
            if verbose or not block.ok or block.status == "drift":
                out.extend(block_report(block, root))
                out.append("")
    out.append(summary(results, elapsed))
    return "\n".join(out)


def junit_xml(results: Sequence[SessionResult], root: Path | None = None,
              name: str = "tutorial-runner") -> str:
    found = counts(results)
    blocks = [block for session in results for block in session.blocks]
    suite = ET.Element("testsuite", {
        "name": name,
        "tests": str(len(blocks)),
        "failures": str(found["failed"] + found["unexpected-match"]),
        "errors": str(found["error"]),
        "skipped": str(found["skipped"]),
        "time": f"{sum(r.elapsed for r in results):.3f}",
    })
    for session in results:
        share = session.elapsed / max(1, len(session.blocks))
        for block in session.blocks:
            case = ET.SubElement(suite, "testcase", {
                "classname": _relative(block.block.path, root),
                "name": visible(f"line {block.block.line}: {first_command(block)}"),
                "file": _relative(block.block.path, root),
                "line": str(block.block.line),
                "time": f"{share:.3f}",
            })
            text = "\n".join(block_report(block, root))
            if block.status in ("failed", "unexpected-match"):
                message = block.message or _first_note(block) or "output does not match"
                ET.SubElement(case, "failure", {"message": visible(message)}).text = text
            elif block.status == "error":
                ET.SubElement(case, "error", {"message": visible(block.message)}).text = text
            elif block.status == "skipped":
                ET.SubElement(case, "skipped", {"message": visible(block.message)})
            elif block.status == "drift":
                ET.SubElement(case, "system-out").text = text
    suites = ET.Element("testsuites")
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _first_note(block: BlockResult) -> str:
    for step in block.steps:
        if not step.ok:
            return f"line {step.line}: {step.note or 'output does not match'}"
    return ""


def write_junit(path: Path, results: Sequence[SessionResult], root: Path | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(junit_xml(results, root), encoding="utf-8")
    os.replace(temporary, path)
