"""``make doctest`` over the whole site, on a copy of the project with its own caches:
cold (no result cache, no doctrees), warm (nothing changed), one page's prose changed, and
one page's transcript changed (its session replays). The real docs are never touched."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stats import summary_s

ROOT = Path(__file__).resolve().parent.parent
NEEDED = ("conf.py", "docs", "locale", "tutorial_runner", "sim", "pyproject.toml")


def copy_project(target: Path) -> None:
    """The committed tree (a fresh clone's), else the files the site build needs."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], capture_output=True,
                             check=False)
    if archive.returncode == 0:
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
        return
    for name in NEEDED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns(
                "__pycache__", "_build", ".tutorial-cache"))
        elif source.exists():
            shutil.copy2(source, target / name)


def _doctest(copy: Path) -> tuple[float, int]:
    begin = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tutorial_runner.site", "doctest", "_build", "-q"],
                          cwd=copy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - begin, done.returncode


def _clear(copy: Path) -> None:
    for name in ("_build", ".tutorial-cache"):
        shutil.rmtree(copy / name, ignore_errors=True)


def changed_page(copy: Path) -> Path:
    """The page the "one page changed" runs edit: the first tutorial with a transcript."""
    pages = sorted((copy / "docs").rglob("*.md"))
    for page in pages:
        if "tutorials" in page.parts and "```{transcript}" in page.read_text(encoding="utf-8"):
            return page
    return next(p for p in pages if "```{transcript}" in p.read_text(encoding="utf-8"))


def edit_prose(page: Path, n: int) -> None:
    with page.open("a", encoding="utf-8") as fh:
        fh.write(f"\n計測のための段落 {n}。\n")


_FIRST_TRANSCRIPT = re.compile(r"^```\{transcript\}[^\n]*\n((?::[^\n]*\n)*)", re.M)


def edit_transcript(page: Path, n: int) -> None:
    """A commentary line at the top of the page's first transcript: the block's text
    changes (its session must replay) and it still matches."""
    text = page.read_text(encoding="utf-8")
    text = _FIRST_TRANSCRIPT.sub(lambda m: m.group(0) + f"# bench {n}\n", text, count=1)
    page.write_text(text, encoding="utf-8")


def run(repeat: int = 3) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-doctest-"))
    try:
        copy = work / "project"
        copy_project(copy)
        page = changed_page(copy)
        runs: dict[str, list[float]] = {"cold": [], "warm": [], "prose_changed": [],
                                        "transcript_changed": []}
        status: dict[str, int] = {}
        for i in range(repeat):
            _clear(copy)
            for label, edit in (("cold", None), ("warm", None), ("prose_changed", edit_prose),
                                ("transcript_changed", edit_transcript)):
                if edit is not None:
                    edit(page, i)
                seconds, code = _doctest(copy)
                runs[label].append(seconds)
                status[label] = code
        pages = len(list((copy / "docs").rglob("*.md")))
        return {"pages": pages, "changed_page": str(page.relative_to(copy)),
                **{label: summary_s(values) for label, values in runs.items()},
                "exit_status": status}
    finally:
        shutil.rmtree(work, ignore_errors=True)
