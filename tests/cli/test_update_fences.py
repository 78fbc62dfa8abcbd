"""update keeps a MyST block whole when live output holds a fence-like line."""

from pathlib import Path

import pytest

from tutorial_runner.document import parse_text
from tutorial_runner.update import Edit, UpdateRefused, apply_edits, rewrite_text

DOC = "# T\n\n```{transcript}\n$ cmd\nold\n```\n\nAfter.\n"


def _edit(new: tuple[str, ...], path: Path = Path("d.md")) -> Edit:
    return Edit(path, 5, ("old",), new, 4, "$ cmd", 3)


@pytest.mark.parametrize("line, fence", [("```", "````"), ("`````", "``````"), ("~~~", "```")])
def test_the_fence_grows_past_a_fence_line_in_the_output(line, fence):
    text, applied = rewrite_text(DOC, [_edit(("a", line, "b"))])
    assert applied == 1
    assert text == f"# T\n\n{fence}{{transcript}}\n$ cmd\na\n{line}\nb\n{fence}\n\nAfter.\n"
    (block,) = parse_text(text, Path("d.md")).blocks
    assert block.body == ("$ cmd", "a", line, "b")


def test_a_rewrite_that_changes_the_blocks_is_refused(tmp_path):
    path = tmp_path / "d.md"
    path.write_text(DOC)
    # An edit whose anchor says nothing of the fence (block_line 0): nothing lengthens it.
    edit = Edit(path, 5, ("old",), ("```", "b"), 4, "$ cmd", 0)
    with pytest.raises(UpdateRefused):
        apply_edits(path, [edit])
    assert path.read_text() == DOC


def test_update_through_a_link_rewrites_its_target(tmp_path):
    target = tmp_path / "real.md"
    target.write_text(DOC)
    link = tmp_path / "link.md"
    link.symlink_to(target)
    assert apply_edits(link, [_edit(("new",), link)]) == 1
    assert link.is_symlink() and "new\n" in target.read_text()
