"""xterm.js and its fit add-on are vendored unchanged, at the versions VERSIONS.json pins."""
from __future__ import annotations

import hashlib
import json

from tutorial_runner.live import server

XTERM = server.STATIC / "xterm"


def test_every_vendored_file_is_the_one_recorded():
    recorded = json.loads((XTERM / "VERSIONS.json").read_text())
    shipped = {p.name for p in XTERM.iterdir()} - {"VERSIONS.json"}
    assert shipped == set(recorded["files"])
    for name, entry in recorded["files"].items():
        assert entry["package"] in recorded["packages"]
        assert hashlib.sha256((XTERM / name).read_bytes()).hexdigest() == entry["sha256"], name


def test_pinned_versions_and_their_licences():
    recorded = json.loads((XTERM / "VERSIONS.json").read_text())
    assert recorded["packages"]["@xterm/xterm"]["version"] == "6.0.0"
    assert recorded["packages"]["@xterm/addon-fit"]["version"] == "0.11.0"
    for licence in ("LICENSE.xterm", "LICENSE.addon-fit"):
        assert "MIT License" in (XTERM / licence).read_text() or \
            "Permission is hereby granted" in (XTERM / licence).read_text()
    # the version is in the code itself too (xterm.js names no version: the add-on's
    # licence and the terminal's public API are what the page uses)
    assert "Terminal" in (XTERM / "xterm.js").read_text()
    assert "FitAddon" in (XTERM / "addon-fit.js").read_text()
