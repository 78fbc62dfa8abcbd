"""A passing document must fail after any single change to what it expects."""

import contextlib
import io

import pytest

from tutorial_runner.cli import main
from tutorial_runner.match import find_volatile

DOCUMENT = """\
# Mutations

```{transcript}
$ printf 'NAME   READY   STATUS\\nweb-7d4b9c8f6d-x2k4q   1/1   Running\\n'
NAME                   READY   STATUS
web-7d4b9c8f6d-x2k4q   1/1     Running
$ echo "pod web-7d4b9c8f6d-x2k4q at 10.1.2.3"; echo "again 10.1.2.3"
pod web-7d4b9c8f6d-x2k4q at 10.1.2.3
again 10.1.2.3
$ seq 8 10
8
9
10
$ date -u +%Y-%m-%dT%H:%M:%SZ
2020-01-01T00:00:00Z
$ echo web-7d4b9c8f6d-x2k4q
web-7d4b9c8f6d-x2k4q
```
"""

LINES = DOCUMENT.split("\n")
EXPECTED = [i for i, line in enumerate(LINES)
            if line and not line.startswith(("$ ", "```", "# "))]


def passes(text, tmp_path):
    """`tutorial-runner check` on ``text``: True on exit status 0, False on 1."""
    path = tmp_path / "m.md"
    path.write_text(text, encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["check", str(path), "--environment", "plain", "--sandbox", "off", "--no-cache"])
    assert code in (0, 1)
    return code == 0


def with_line(index, new):
    lines = list(LINES)
    if new is None:
        del lines[index]
    else:
        lines[index] = new
    return "\n".join(lines)


def literal_mutants():
    for index in EXPECTED:
        line = LINES[index]
        volatile = [(v.start, v.end) for v in find_volatile(line)]
        for position, char in enumerate(line):
            if not char.isalnum() or any(s <= position < e for s, e in volatile):
                continue
            new = "x" if char != "x" else "y"
            if char.isdigit():
                new = str((int(char) + 1) % 10)
            yield line[:position] + new + line[position + 1:], index


def test_the_document_passes(tmp_path):
    assert passes(DOCUMENT, tmp_path)
    assert len(EXPECTED) == 9


def test_every_literal_change_fails(tmp_path):
    survivors = [LINES[i] + " -> " + mutant for mutant, i in literal_mutants()
                 if passes(with_line(i, mutant), tmp_path)]
    assert survivors == []


@pytest.mark.parametrize("old,new,occurrence", [
    ("10.1.2.3", "10.1.2.4", 2),            # the same live address under two documented ones
    ("10.1.2.3", "10.1.2.4", 1),
    ("web-7d4b9c8f6d-x2k4q", "web-7d4b9c8f6d-x2k4z", 3),
    ("web-7d4b9c8f6d-x2k4q", "web-5c7b8f6d9-x2k4q", 2),
])
def test_an_inconsistent_binding_fails(tmp_path, old, new, occurrence):
    parts = DOCUMENT.split(old)
    # occurrences counted in expected output only: the first in each pair is a command
    expected_positions = [k for k in range(1, len(parts))
                          if not parts[k - 1].rsplit("\n", 1)[-1].startswith("$ ")]
    k = expected_positions[occurrence - 1]
    text = old.join(parts[:k]) + new + old.join(parts[k:])
    assert text != DOCUMENT
    assert not passes(text, tmp_path)


def test_dropping_any_output_line_fails(tmp_path):
    survivors = [LINES[i] for i in EXPECTED if passes(with_line(i, None), tmp_path)]
    assert survivors == []


def test_adding_an_output_line_anywhere_fails(tmp_path):
    survivors = []
    for i in EXPECTED:
        text = "\n".join(LINES[: i + 1] + ["extra line"] + LINES[i + 1:])
        if passes(text, tmp_path):
            survivors.append(LINES[i])
    assert survivors == []
