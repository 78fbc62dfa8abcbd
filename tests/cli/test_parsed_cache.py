"""Documents read once are taken from the cache by their bytes, without the parsers."""

import json
import subprocess
import sys

import pytest

from tutorial_runner.document import read_document
from tutorial_runner.model import DocumentError
from tutorial_runner.parsed import DocumentCache

DOC = ("# T\n\n```{tutorial-file} a.yaml\n:session: s\nx: 1\n```\n\n"
       "```{transcript}\n:session: s\n:vars: <IP>\n:timeout: 3\n$ cat a.yaml\nx: 1\n```\n")


def test_a_cached_document_equals_the_parsed_one(tmp_path):
    path = tmp_path / "d.md"
    path.write_text(DOC)
    cache = DocumentCache(tmp_path / "cache")
    first = cache.read(path)
    assert list((tmp_path / "cache" / "documents").rglob("*.json"))
    again = cache.read(path)
    assert again.blocks == first.blocks == read_document(path).blocks
    assert again.blocks[1].options.vars == ("<IP>",)


def test_changed_bytes_are_read_again(tmp_path):
    path = tmp_path / "d.md"
    path.write_text(DOC)
    cache = DocumentCache(tmp_path / "cache")
    cache.read(path)
    path.write_text(DOC.replace("x: 1", "x: 2"))
    assert cache.read(path).blocks[0].body == ("x: 2",)


def test_a_broken_entry_is_ignored_and_a_broken_document_never_stored(tmp_path):
    path = tmp_path / "d.md"
    path.write_text(DOC)
    cache = DocumentCache(tmp_path / "cache")
    cache.read(path)
    for entry in (tmp_path / "cache").rglob("*.json"):
        entry.write_text(json.dumps({"format": 1, "blocks": [{"kind": 1}]}))
    assert cache.read(path).blocks == read_document(path).blocks
    bad = tmp_path / "bad.md"
    bad.write_text("```{transcript}\n:timeout: 0\n$ true\n```\n")
    before = set((tmp_path / "cache").rglob("*.json"))
    for _ in range(2):
        with pytest.raises(DocumentError):
            cache.read(bad)
    assert set((tmp_path / "cache").rglob("*.json")) == before


def test_a_warm_check_imports_neither_docutils_nor_myst(tmp_path):
    path = tmp_path / "d.md"
    path.write_text("```{transcript}\n$ echo hi\nhi\n```\n")
    probe = (
        "import sys; from tutorial_runner.cli import main\n"
        "code = main(['check', '--no-cache', '--sandbox', 'off', '--environment', 'plain', "
        f"{str(path)!r}])\n"
        "print(code, any(m.split('.')[0] in ('docutils', 'myst_parser') for m in sys.modules))\n")
    env = {"TUTORIAL_RUNNER_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           env=env, timeout=60).stdout.splitlines()[-1] for _ in range(2)]
    assert runs == ["0 True", "0 False"]
