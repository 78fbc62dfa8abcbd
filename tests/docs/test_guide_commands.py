"""Every command a guide shows runs, visibly, in a transcript of the site (issue 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.guide_commands import (
    DOCS_DIR, SEEDS_DIR, GuideCommand, guide_commands, missing_commands, normalize, run_blocks,
)
from tutorial_runner.document import parse_text

needs_seeds = pytest.mark.skipif(
    not SEEDS_DIR.is_dir(), reason=f"unavailable: the guides are not next to the repository ({SEEDS_DIR})")


def _guides() -> list[Path]:
    return sorted(SEEDS_DIR.glob("0*.txt"))


def test_normalize_collapses_whitespace() -> None:
    assert normalize("  kubectl   get\tsvc  ") == "kubectl get svc"


def test_bare_commands_and_continuations_are_found(tmp_path: Path) -> None:
    guide = tmp_path / "009_x.txt"
    guide.write_text(
        "Some prose about kubectl.\n"
        "kubectl create secret tls <name> \\\n"
        "    --key <key> \\\n"
        "    --cert <cert>\n"
        "secret/x created\n"
        "node $ curl -k https://10.0.0.1\n"
        "[ root@curl-1:/ ]$ nslookup x\n",
        encoding="utf-8")
    texts = [c.text for c in guide_commands(guide)]
    assert texts == ["kubectl create secret tls <name> \\", "--key <key> \\", "--cert <cert>",
                     "node $ curl -k https://10.0.0.1", "[ root@curl-1:/ ]$ nslookup x"]


def test_prompted_guide_reads_prompts_and_loop_bodies_only(tmp_path: Path) -> None:
    guide = tmp_path / "008_y.txt"
    guide.write_text(
        "$ kubectl get pods\nkubectl-looking output\n$ kubectl get svc\n$ curl x\n"
        "$ for P in a b; do\nkubectl exec ${P} -- true;\ndone\nafter\n", encoding="utf-8")
    texts = [c.text for c in guide_commands(guide)]
    assert texts == ["$ kubectl get pods", "$ kubectl get svc", "$ curl x",
                     "$ for P in a b; do", "kubectl exec ${P} -- true;", "done"]


def _blocks(text: str, tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return [b for b in parse_text(text, page).blocks if b.kind == "transcript"]


def test_skipped_and_hidden_blocks_do_not_count(tmp_path: Path) -> None:
    guide = tmp_path / "007_z.txt"
    guide.write_text("kubectl get   svc\nkubectl get pods\nkubectl get ep\n", encoding="utf-8")
    page = (
        "```{transcript}\n$ kubectl get svc\n```\n\n"
        "```{transcript}\n:skip: cannot run\n$ kubectl get pods\n```\n\n"
        "```{transcript}\n:hide:\n$ kubectl get ep\n```\n")
    blocks = [b for b in _blocks(page, tmp_path) if not b.options.skip and not b.options.hide]
    missing = missing_commands([guide], blocks)
    assert [m.text for m in missing] == ["kubectl get pods", "kubectl get ep"]


@needs_seeds
def test_every_guide_has_commands_except_the_conceptual_one() -> None:
    counts = {path.name[:3]: len(guide_commands(path)) for path in _guides()}
    assert counts["003"] == 0
    assert all(counts[g] > 0 for g in ("000", "001", "002", "004"))


@needs_seeds
def test_every_guide_command_runs_in_a_shown_transcript() -> None:
    if not DOCS_DIR.is_dir():
        pytest.fail("docs/ is missing")
    missing: list[GuideCommand] = missing_commands(_guides(), run_blocks(DOCS_DIR))
    assert not missing, "\n".join(f"{m.guide}:{m.line}: {m.text}" for m in missing)
