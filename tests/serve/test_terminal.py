"""The markers in a live shell's bytes: where commands start and end, hidden from the reader."""
from __future__ import annotations

import base64

from tutorial_runner.live.terminal import MarkerStream, More, Output, Prompt, Started, output_lines

SALT = "0123abcd"


def _start(entry: str) -> bytes:
    return b"\x1e" + SALT.encode() + b"S" + base64.b64encode(entry.encode()) + b"\x1f"


def _prompt(status: int) -> bytes:
    return b"\x1e" + SALT.encode() + b"P" + str(status).encode() + b"\x1f"


def _shown(events) -> bytes:
    return b"".join(e.data for e in events if isinstance(e, Output))


def test_a_command_s_start_text_output_and_status():
    stream = MarkerStream(SALT)
    data = (b"ls -l\r\n" + _start("   12  ls -l\n") + b"total 0\r\n" + _prompt(2) + b"$ ")
    events = stream.feed(data)
    assert Started(12, "ls -l") in events and Prompt(2) in events
    assert _shown(events) == b"ls -l\r\ntotal 0\r\n$ "


def test_markers_split_across_reads_wait_for_their_end():
    stream = MarkerStream(SALT)
    data = b"x\r\n" + _start("    3  echo 'a\nb'\n") + b"a\r\nb\r\n" + _prompt(0) + b"$ "
    events = []
    for i in range(len(data)):
        events += stream.feed(data[i:i + 1])
    assert [e for e in events if not isinstance(e, Output)] == [Started(3, "echo 'a\nb'"), Prompt(0)]
    assert _shown(events) == b"x\r\na\r\nb\r\n$ "


def test_other_bytes_that_look_like_a_marker_start_are_output():
    stream = MarkerStream(SALT)
    events = stream.feed(b"a\x1eb\x1e" + b"ffff" + b"P0\x1f" + b"\x1e" + SALT.encode() + b"C\x1f> ")
    assert _shown(events) == b"a\x1eb\x1effffP0\x1f> "
    assert More() in events


def test_a_start_marker_that_is_not_a_history_entry_is_dropped():
    stream = MarkerStream(SALT)
    events = stream.feed(_start("no number here") + _prompt(0))
    assert events == [Prompt(0)]


def test_output_lines_are_what_check_compares():
    assert output_lines(b"\x1b[?2004lNAME\r\nweb\x1b[1m\x1b[0m\r\n\x1b[?2004h") == ["NAME", "web"]
    assert output_lines(b"") == []
