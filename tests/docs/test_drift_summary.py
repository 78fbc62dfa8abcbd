"""The drift summary's table agrees with the guide pages it summarises.

`make doctest` proves each block's status (a block without ``:expect-drift:`` matches,
one with it does not); this test proves the summary counts those blocks as they stand.
"""

import re
from pathlib import Path

from tutorial_runner.document import read_document

DOCS = Path(__file__).resolve().parents[2] / "docs"
ROW = re.compile(r"^\| \{doc\}`guides/(?P<page>[^`]+)` \| (?P<all>\d+) \| (?P<same>\d+) \| (?P<drift>\d+) \|$")


def _rows() -> dict[str, tuple[int, int, int]]:
    rows = {}
    for line in (DOCS / "drift.md").read_text(encoding="utf-8").splitlines():
        found = ROW.match(line.strip())
        if found:
            rows[found["page"]] = (int(found["all"]), int(found["same"]), int(found["drift"]))
    return rows


def test_every_guide_page_has_a_row_with_its_counts():
    rows = _rows()
    pages = sorted(p.stem for p in (DOCS / "guides").glob("*-as-written.md"))
    assert sorted(rows) == pages
    for page in pages:
        blocks = [b for b in read_document(DOCS / "guides" / f"{page}.md").blocks
                  if b.kind == "transcript" and not b.options.hide and not b.options.skip]
        drift = sum(1 for b in blocks if b.options.expect_drift)
        assert rows[page] == (len(blocks), len(blocks) - drift, drift), page
