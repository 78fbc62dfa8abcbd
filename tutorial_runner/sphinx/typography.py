"""Japanese paragraphs: a line break in the source is no space on the page.

Sources keep one sentence per line, and HTML turns every line break into a space; in
Japanese that leaves a gap after 。 or in the middle of a phrase.  Only text is touched,
never literals or code, and only when the page's language is Japanese.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

# Kana, CJK ideographs, CJK and full-width punctuation.
_CJK = r"\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t]*|[ \t]*\n[ \t]*(?=[{_CJK}])")
_SKIP = (nodes.literal, nodes.literal_block, nodes.raw, nodes.math, nodes.math_block)


def join_lines(text: str, before: str = "", after: str = "") -> str:
    """``text`` without the line breaks next to a Japanese character; ``before`` and
    ``after`` are the characters around it (a break may sit in a text of its own)."""
    joined = _BREAK.sub("", before + text + after)
    return joined[len(before):len(joined) - len(after)]


class JoinJapaneseLines(SphinxPostTransform):
    default_priority = 900
    formats = ("html",)

    def is_supported(self) -> bool:
        return super().is_supported() and (self.config.language or "").startswith("ja")

    def run(self, **kwargs: Any) -> None:
        for text in list(self.document.findall(nodes.Text)):
            parent = text.parent
            if parent is None or "\n" not in text or self._in_code(parent):
                continue
            index = parent.index(text)
            before = parent[index - 1].astext()[-1:] if index > 0 else ""
            after = parent[index + 1].astext()[:1] if index + 1 < len(parent) else ""
            joined = join_lines(str(text), before, after)
            if joined != str(text):
                parent.replace(text, nodes.Text(joined))

    @staticmethod
    def _in_code(node: nodes.Node) -> bool:
        while node is not None:
            if isinstance(node, _SKIP):
                return True
            node = node.parent
        return False
