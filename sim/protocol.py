"""Frames between the shim (sim.client) and the cluster process (sim.daemon).

A frame is one type byte, a 4-byte big-endian length, then the payload. JSON payloads
are UTF-8. Kept tiny: the client imports only this module.

client -> daemon                         daemon -> client
  HELLO   JSON call (tool, argv, ...)      OUT     bytes for stdout
  INPUT   stdin bytes (b"" = EOF)          ERR     bytes for stderr
  EDITED  JSON {"text": str | null}        NEED    JSON {"mode": "all"|"line"|"chunk"}
  RAWED   b"" (terminal mode switched)     EDIT    JSON {"text", "suffix"}
  INTR    b"" (Ctrl-C: the caller quits)   RAW     JSON {"raw": bool}
                                           EXEC    JSON {"argv": [...]}
                                           EXIT    JSON {"code": int}
"""

from __future__ import annotations

import json
import socket
import struct

HELLO, INPUT, EDITED, RAWED, INTR = b"H", b"I", b"E", b"A", b"C"
OUT, ERR, NEED, EDIT, RAW, EXEC, EXIT = b"O", b"R", b"N", b"D", b"W", b"L", b"X"

_HEAD = struct.Struct(">cI")


def send(sock: socket.socket, kind: bytes, payload: bytes = b"") -> None:
    sock.sendall(_HEAD.pack(kind, len(payload)) + payload)


def send_json(sock: socket.socket, kind: bytes, value) -> None:
    send(sock, kind, json.dumps(value).encode())


def _read_exact(sock: socket.socket, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = sock.recv(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket) -> tuple[bytes, bytes] | None:
    """The next frame, or None when the other side has gone."""
    head = _read_exact(sock, _HEAD.size)
    if head is None:
        return None
    kind, size = _HEAD.unpack(head)
    payload = _read_exact(sock, size) if size else b""
    if payload is None:
        return None
    return kind, payload


def decode(payload: bytes):
    return json.loads(payload.decode())
