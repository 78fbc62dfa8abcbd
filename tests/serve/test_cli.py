"""tutorial-runner serve from the command line: where the site is, and a clean stop."""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import urllib.request

from tutorial_runner.cli import main

from .conftest import LIVE_SITE, write_site


def test_without_a_built_site_it_says_how_to_get_one(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["serve", "--site", str(tmp_path / "nothing")]) == 2
    assert "make html" in capsys.readouterr().err


def test_it_serves_on_loopback_and_stops_on_sigterm(tmp_path):
    write_site(tmp_path / "site", LIVE_SITE / "service.md", "service")
    process = subprocess.Popen(
        [sys.executable, "-m", "tutorial_runner", "serve", "--site", str(tmp_path / "site"),
         "--port", "0", "--max-sessions", "3"],
        stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        ready, _, _ = select.select([process.stderr], [], [], 60)
        assert ready, "serve did not say where it listens"
        line = process.stderr.readline()
        url = line.split(" at ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "_live/status", timeout=10) as answer:
            assert json.load(answer) == {"live": True, "sessions": 0, "max": 3}
        with urllib.request.urlopen(url + "ja/", timeout=10) as answer:
            assert b"lang='ja'" in answer.read()
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=30) == 128 + signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
