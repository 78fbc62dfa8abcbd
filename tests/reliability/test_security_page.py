"""The security page tells the truth about the sandbox, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from tests.reliability.harness import REPO
from tutorial_runner.sandbox import Sandbox, _unshare_prefix

PAGE = REPO / "docs" / "security.md"
CATALOGUE = REPO / "locale" / "en" / "LC_MESSAGES" / "security.po"
_KANA = re.compile(r"[\u3040-\u30ff]")
# Flags that only say where to start or how the init step runs: no isolation of their own.
_MECHANICS = {"--", "--chdir", "--cap-add"}


def _flags(argv: list[str]) -> set[str]:
    return {arg for arg in argv if arg.startswith("--") and arg not in _MECHANICS}


def test_every_isolation_flag_of_the_sandbox_is_described():
    text = PAGE.read_text(encoding="utf-8")
    box = Sandbox("bwrap", userns=True, own_sysfs=True)
    argv = box.wrap(["bash"], Path("/w"), [Path("/w"), Path("/s")])
    for flag in _flags(argv) | _flags(_unshare_prefix()) - {"--map-root-user"}:
        assert f"`{flag}" in text or f" {flag}" in text, flag
    assert "setpriv" in text and "setpriv" in " ".join(argv)
    assert "/sys" in text


def test_the_english_catalogue_is_complete():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    entries = [m for m in catalogue if m.id]
    assert len(entries) >= 30
    for message in entries:
        assert message.string and not message.fuzzy, message.id
        assert not _KANA.search(message.string), message.string
        # Code spans are kept as written: commands and flags mean the same in English.
        assert sorted(re.findall(r"`[^`]+`", message.id)) == \
            sorted(re.findall(r"`[^`]+`", message.string)), message.id
    page = PAGE.read_text(encoding="utf-8")
    for message in entries:
        first_words = message.id.split("\n")[0][:12]
        assert first_words in page, first_words
