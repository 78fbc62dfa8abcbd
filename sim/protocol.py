"""Frames between the shim (sim.client) and the cluster process (sim.daemon).

A frame is one type byte, a 4-byte big-endian length, then the payload. Structured
payloads (dicts of str, int, bool, lists) are ``marshal``-encoded: both ends are the same
interpreter, and the client imports only built-in modules (it starts on every command).

client -> daemon                         daemon -> client
  HELLO   {tool, argv, cwd, env, tty, size} OUT     bytes for stdout
  INPUT   stdin bytes (b"" = EOF)          ERR     bytes for stderr
  EDITED  {"text": str | None}             NEED    {"mode": "all"|"line"|"chunk"}
  RAWED   b"" (terminal mode switched)     EDIT    {"text", "suffix"}
  INTR    b"" (Ctrl-C: the caller quits)   RAW     {"raw": bool}
                                           EXEC    {"argv": [...]}
                                           EXIT    {"code": int}
                                           ONINTR  {"code": int} (Ctrl-C: exit with
                                                   this status, as a program that
                                                   catches SIGINT does)
"""

from __future__ import annotations

import marshal
from _struct import Struct

HELLO, INPUT, EDITED, RAWED, INTR = b"H", b"I", b"E", b"A", b"C"
OUT, ERR, NEED, EDIT, RAW, EXEC, EXIT = b"O", b"R", b"N", b"D", b"W", b"L", b"X"
ONINTR = b"T"

_HEAD = Struct(">cI")


def send(sock, kind: bytes, payload: bytes = b"") -> None:
    sock.sendall(_HEAD.pack(kind, len(payload)) + payload)


def send_json(sock, kind: bytes, value) -> None:
    send(sock, kind, marshal.dumps(value))


def _read_exact(sock, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = sock.recv(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive(sock) -> tuple[bytes, bytes] | None:
    """The next frame, or None when the other side has gone."""
    head = _read_exact(sock, _HEAD.size)
    if head is None:
        return None
    kind, size = _HEAD.unpack(head)
    payload = _read_exact(sock, size) if size else b""
    if payload is None:
        return None
    return kind, payload


def encode(value) -> bytes:
    return marshal.dumps(value)


def decode(payload: bytes):
    return marshal.loads(payload)
