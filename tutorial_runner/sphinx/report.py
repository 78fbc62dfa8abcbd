"""The ``tutorial`` builder's summary, ``report.txt`` and ``junit.xml``."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

from ..model import Block, Session
from .verify import FAILING

ORDER = ("verified", "drift", "skipped", "failed", "unexpected-match", "error")


def _where(block: Block, line: int, base: Path) -> str:
    try:
        path = os.path.relpath(block.path, base)
    except ValueError:
        path = str(block.path)
    return f"{path}:{line}"


def _failure_text(block_result: Any, base: Path) -> list[str]:
    block = block_result.block
    lines = [f"{_where(block, block.line, base)}: {block_result.status}"
             + (f": {block_result.message}" if block_result.message else "")]
    for step in block_result.steps:
        if step.ok:
            continue
        lines.append(f"  {_where(block, step.line, base)}: $ {step.command}")
        lines.extend(f"    {d}" for d in step.diff)
        if step.bindings:
            bound = ", ".join(f"{k} -> {v}" for k, v in sorted(step.bindings.items()))
            lines.append(f"    bindings: {bound}")
    if block_result.status == "unexpected-match":
        lines.append("  the block matches the live cluster: remove its :expect-drift:")
    return lines


def problems(session: Session, result: Any) -> list[tuple[int, str]]:
    """(line, message) for each failing block of a session: what a build warning shows."""
    if isinstance(result, BaseException):
        return [(session.blocks[0].line, f"session {session.name!r} could not run: {result}")]
    found = []
    for block_result in result.blocks:
        if block_result.status not in FAILING:
            continue
        failing = [step for step in block_result.steps if not step.ok]
        if failing:
            for step in failing:
                found.append((step.line, f"{block_result.status}: $ {step.command}"))
        else:
            found.append((block_result.block.line,
                          f"{block_result.status}: {block_result.message or 'no details'}"))
    return found


def summarize(sessions: list[Session], results: list[Any], base: Path
              ) -> tuple[str, bool, Counter[str]]:
    counts: Counter[str] = Counter()
    problems: list[str] = []
    for session, result in zip(sessions, results, strict=True):
        if isinstance(result, BaseException):
            counts["error"] += len(session.blocks)
            first = session.blocks[0]
            problems.append(f"{_where(first, first.line, base)}: session {session.name!r} "
                            f"could not run: {result}")
            continue
        for block_result in result.blocks:
            counts[block_result.status] += 1
            if block_result.status in FAILING:
                problems.extend(_failure_text(block_result, base))
    ok = not any(counts[s] for s in FAILING)
    total = sum(counts.values())
    shown = ", ".join(f"{counts[s]} {s}" for s in ORDER if counts[s])
    head = f"{len(sessions)} session(s), {total} block(s): {shown or 'nothing to verify'}"
    verdict = "all transcripts match" if ok else "MISMATCH: the site's transcripts do not hold"
    return "\n".join([*problems, head, verdict]), ok, counts


def junit(sessions: list[Session], results: list[Any], base: Path,
          describe: dict[str, str] | None = None) -> ET.ElementTree:
    suite = ET.Element("testsuite", name="tutorial")
    tally: Counter[str] = Counter()
    for session, result in zip(sessions, results, strict=True):
        doc = os.path.relpath(session.document, base)
        classname = f"{doc}::{session.name}"
        if isinstance(result, BaseException):
            case = ET.SubElement(suite, "testcase", classname=classname, name="session")
            ET.SubElement(case, "error", message=str(result)).text = repr(result)
            tally["tests"] += 1
            tally["errors"] += 1
            continue
        for block_result in result.blocks:
            block = block_result.block
            case = ET.SubElement(suite, "testcase", classname=classname,
                                 name=f"line {block.line}", file=doc, line=str(block.line))
            tally["tests"] += 1
            status = block_result.status
            if status in FAILING:
                kind = "error" if status == "error" else "failure"
                tally["errors" if kind == "error" else "failures"] += 1
                element = ET.SubElement(case, kind, message=f"{status}: {block_result.message}")
                element.text = "\n".join(_failure_text(block_result, base))
            elif status == "skipped":
                tally["skipped"] += 1
                ET.SubElement(case, "skipped", message=block_result.message or "")
            elif describe:
                properties = ET.SubElement(case, "properties")
                ET.SubElement(properties, "property", name="status", value=status)
                ET.SubElement(properties, "property", name="against",
                              value=describe.get(session.name + str(session.document), ""))
    for key in ("tests", "failures", "errors", "skipped"):
        suite.set(key, str(tally[key]))
    ET.indent(suite)
    return ET.ElementTree(suite)


def write(outdir: Path, sessions: list[Session], results: list[Any], base: Path | str,
          describe: dict[str, str] | None = None) -> tuple[str, bool]:
    """Writes report.txt and junit.xml; returns the report and whether everything holds."""
    base = Path(base).parent if base else Path.cwd()
    text, ok, _ = summarize(sessions, results, base)
    (outdir / "report.txt").write_text(text + "\n", encoding="utf-8")
    junit(sessions, results, base, describe).write(
        outdir / "junit.xml", encoding="utf-8", xml_declaration=True)
    return text, ok
