"""Elastic tabstops as Go's text/tabwriter lays them out (AlignLeft, pad with spaces).

kubectl's tables use minwidth 6, padding 3; describe uses minwidth 0, padding 2.  A
cell is text terminated by a tab; the text after a line's last tab is not part of any
column and is never padded.  A column block is a run of consecutive lines that all have
a terminated cell in that column: its width is the widest cell in the run.
"""
from __future__ import annotations


def _width(text: str) -> int:
    return len(text)


class TabWriter:
    """`remember`: liggitt/tabwriter's RememberWidths, as kubectl's table printer uses it.

    A line of a single cell makes the writer flush; with remembered widths the lines
    after it still line up with those before (a column is never narrower than it was).
    """

    def __init__(self, minwidth: int, padding: int, remember: bool = False) -> None:
        self.minwidth = minwidth
        self.padding = padding
        self.remember = remember
        self.widths_seen: list[int] = []

    def format(self, text: str) -> str:
        return "".join(self.format_lines(text))

    def format_lines(self, text: str) -> list[str]:
        """``format`` as its lines (each ending in a newline; the text after the last
        newline, if any, last)."""
        lines = text.split("\n")
        trailing = lines.pop() if lines else ""
        rows = [line.split("\t") for line in lines]
        out: list[str] = []
        start = 0
        for i, row in enumerate(rows):
            if len(row) == 1:
                self._format(rows, start, i + 1, [], out)
                start = i + 1
        self._format(rows, start, len(rows), [], out)
        if trailing:
            out.append(trailing)
        return out

    def _width(self, column: int, width: int) -> int:
        if not self.remember:
            return width
        if column < len(self.widths_seen):
            width = max(width, self.widths_seen[column])
            self.widths_seen[column] = width
        else:
            self.widths_seen.append(width)
        return width

    def _format(self, rows: list[list[str]], line0: int, line1: int,
                widths: list[int], out: list[str]) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(rows[this]) - 1:
                this += 1
                continue
            self._write_lines(rows, line0, this, widths, out)
            line0 = this
            width = self.minwidth
            while this < line1 and column < len(rows[this]) - 1:
                width = max(width, _width(rows[this][column]) + self.padding)
                this += 1
            self._format(rows, line0, this, widths + [self._width(column, width)], out)
            line0 = this
        self._write_lines(rows, line0, line1, widths, out)

    @staticmethod
    def _write_lines(rows: list[list[str]], line0: int, line1: int,
                     widths: list[int], out: list[str]) -> None:
        for row in rows[line0:line1]:
            parts = []
            for j, cell in enumerate(row):
                if j < len(widths):
                    parts.append(cell + " " * (widths[j] - _width(cell)))
                else:
                    parts.append(cell)
            out.append("".join(parts) + "\n")


def table_layout(text: str) -> str:
    return TabWriter(6, 3, remember=True).format(text)


def table_layout_lines(text: str) -> list[str]:
    return TabWriter(6, 3, remember=True).format_lines(text)


def describe_layout(text: str) -> str:
    return TabWriter(0, 2).format(text)
