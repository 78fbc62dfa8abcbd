"""The shim reads the caller's stdin a line at a time for the container's programs; from a
terminal in raw mode (kubectl exec -it, run -it) Enter arrives as a carriage return."""
from __future__ import annotations

import os

from sim.client import _Stdin


def _stdin_with(monkeypatch, data: bytes) -> _Stdin:
    read, write = os.pipe()
    os.write(write, data)
    os.close(write)
    monkeypatch.setattr(os, "read", lambda fd, n, _real=os.read: _real(read, n))
    return _Stdin()


def test_a_line_ends_at_a_newline(monkeypatch):
    stdin = _stdin_with(monkeypatch, b"one\rstill one\ntwo\n")
    assert stdin.line() == b"one\rstill one\n"
    assert stdin.line() == b"two\n"
    assert stdin.line() == b""


def test_from_a_raw_terminal_enter_ends_a_line(monkeypatch):
    stdin = _stdin_with(monkeypatch, b"nslookup my-nginx\rexit\r")
    assert stdin.line(raw=True) == b"nslookup my-nginx\n"
    assert stdin.line(raw=True) == b"exit\n"
    assert stdin.line(raw=True) == b""
