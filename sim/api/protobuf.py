"""Kubernetes protobuf request bodies, decoded to the JSON object a client would have sent.

The wire form (`application/vnd.kubernetes.protobuf`): the magic `k8s\\0`, then a
`runtime.Unknown` whose `typeMeta` names apiVersion and kind and whose `raw` is the object's
message. Messages are read with the field table in data/protobuf.json (built by
sim/api/protobuf_schema.py from the Kubernetes API's own definitions). A field is kept as
encoding/json would show the Go object after decoding: a pointer field as sent (its zero is a
value), a non-pointer field only when it is not its type's zero (the wire always carries
those); the types with their own JSON form (Time, MicroTime, Duration, IntOrString,
Quantity, RawExtension, FieldsV1, list wrappers such as ExtraValue) become that form.
"""
from __future__ import annotations

import base64
import datetime
import json
import struct
from functools import lru_cache
from pathlib import Path
from typing import Any

MAGIC = b"k8s\x00"
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"
_TABLE = Path(__file__).resolve().parent / "data" / "protobuf.json"
_META = "k8s.io.apimachinery.pkg.apis.meta.v1."
_RUNTIME = "k8s.io.apimachinery.pkg.runtime."
_VARINT_TYPES = {"int32", "int64", "uint32", "uint64", "bool", "sint32", "sint64"}


class ProtobufError(ValueError):
    """The body is not a Kubernetes protobuf object this server can read."""


@lru_cache(maxsize=1)
def table() -> dict:
    return json.loads(_TABLE.read_text())


def decode(body: bytes) -> dict:
    """The object in a protobuf request body, as JSON would carry it (apiVersion and kind set)."""
    if not body.startswith(MAGIC):
        raise ProtobufError("the body does not start with the Kubernetes protobuf magic number")
    envelope = _fields(body[len(MAGIC):])
    type_meta = _fields(_last(envelope, 1, b""))
    api_version = _text(_last(type_meta, 1, b""))
    kind = _text(_last(type_meta, 2, b""))
    raw = _last(envelope, 2, b"")
    message = _message_name(api_version, kind)
    if message is None:
        raise ProtobufError(f"no kind \"{kind}\" is registered for version \"{api_version}\"")
    obj = _decode_message(raw, message)
    return {"apiVersion": api_version, "kind": kind, **obj}


def _message_name(api_version: str, kind: str) -> str | None:
    messages = table()["messages"]
    package = table()["packages"].get(api_version)
    for candidate in ([f"{package}.{kind}"] if package else []) + [_META + kind]:
        if candidate in messages:
            return candidate
    return None


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ProtobufError("varint too long")


def _fields(data: bytes) -> dict[int, list[Any]]:
    """Field number -> the raw values in wire order (ints for varint/fixed, bytes otherwise)."""
    out: dict[int, list[Any]] = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = ("f64", data[pos:pos + 8]), pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise ProtobufError("truncated length-delimited field")
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = ("f32", data[pos:pos + 4]), pos + 4
        else:
            raise ProtobufError(f"unsupported wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def _last(fields: dict[int, list[Any]], number: int, default: Any) -> Any:
    values = fields.get(number)
    return values[-1] if values else default


def _text(value: bytes) -> str:
    return value.decode("utf-8", errors="replace")


def _signed(value: int, kind: str) -> int:
    if kind in ("sint32", "sint64"):
        return (value >> 1) ^ -(value & 1)
    if kind in ("int32", "int64") and value >= 1 << 63:
        return value - (1 << 64)
    return value


def _scalar(raw: Any, kind: str) -> Any:
    if isinstance(raw, tuple):
        width, data = raw
        if kind in ("double", "float"):
            return struct.unpack("<d" if width == "f64" else "<f", data)[0]
        number = int.from_bytes(data, "little", signed=kind.startswith("sfixed"))
        return number
    if kind == "string":
        return _text(raw)
    if kind == "bytes":
        return base64.b64encode(raw).decode()
    if kind == "bool":
        return bool(raw)
    return _signed(raw, kind)


def _values(raws: list[Any], kind: str) -> list[Any]:
    """A field's values; numeric repeated fields may come packed in one length-delimited run."""
    out: list[Any] = []
    for raw in raws:
        if isinstance(raw, bytes) and kind in _VARINT_TYPES:
            pos = 0
            while pos < len(raw):
                value, pos = _varint(raw, pos)
                out.append(_scalar(value, kind))
        elif kind in _SPECIAL or kind in table()["messages"]:
            out.append(_decode_message(raw, kind))
        else:
            out.append(_scalar(raw, kind))
    return out


def _zero(value: Any) -> bool:
    """Go's zero value for the field's type (what a non-pointer field holds when unset)."""
    if value is None or value is False or value == "" or value == {} or value == []:
        return True
    return type(value) in (int, float) and value == 0


def _decode_message(data: bytes, name: str) -> Any:
    special = _SPECIAL.get(name)
    fields = _fields(data if isinstance(data, bytes) else b"")
    if special:
        return special(fields)
    schema = table()["messages"].get(name)
    if schema is None:
        raise ProtobufError(f"unknown message {name}")
    if name in table()["lists"]:
        return _values(fields.get(1, []), schema["1"][1])
    obj: dict[str, Any] = {}
    for number, raws in fields.items():
        spec = schema.get(str(number))
        if spec is None:
            continue            # a field this table does not know: as an older server, ignore
        json_name, kind, flags = spec
        if isinstance(kind, list):
            entries = {}
            for raw in raws:
                entry = _fields(raw)
                key = _values(entry.get(1, []), kind[1])
                value = _values(entry.get(2, []), kind[2])
                entries[key[-1] if key else ""] = value[-1] if value else _empty(kind[2])
            value: Any = entries
        elif "r" in flags:
            value = _values(raws, kind)
        else:
            value = _values(raws[-1:], kind)[0]
        if "i" in flags and isinstance(value, dict):
            obj.update(value)
        elif "p" in flags or not _zero(value):
            obj[json_name] = value
    return obj


def _empty(kind: str) -> Any:
    return "" if kind in ("string", "bytes") else {} if "." in kind else 0


def _time(fields: dict[int, list[Any]], micro: bool = False) -> str | None:
    seconds = _signed(_last(fields, 1, 0), "int64")
    nanos = _last(fields, 2, 0)
    if not seconds and not nanos:
        return None
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{nanos // 1000:06d}Z" if micro else text + "Z"


def _duration(fields: dict[int, list[Any]]) -> str:
    """Go's time.Duration.String() for the nanoseconds on the wire."""
    nanos = _signed(_last(fields, 1, 0), "int64")
    if nanos == 0:
        return "0s"
    sign, nanos = ("-", -nanos) if nanos < 0 else ("", nanos)
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return sign + _trim(nanos / size) + unit
    hours, rest = divmod(nanos, 3600 * 1_000_000_000)
    minutes, rest = divmod(rest, 60 * 1_000_000_000)
    seconds = _trim(rest / 1_000_000_000) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds


def _trim(number: float) -> str:
    return f"{number:.9f}".rstrip("0").rstrip(".")


def _int_or_string(fields: dict[int, list[Any]]) -> int | str:
    if _last(fields, 1, 0) == 1:
        return _text(_last(fields, 3, b""))
    return _signed(_last(fields, 2, 0), "int32")


def _raw_json(fields: dict[int, list[Any]]) -> Any:
    raw = _last(fields, 1, b"")
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ProtobufError("an embedded object is not JSON") from None


_SPECIAL = {
    _META + "Time": _time,
    _META + "MicroTime": lambda f: _time(f, micro=True),
    _META + "Duration": _duration,
    _META + "FieldsV1": _raw_json,
    _RUNTIME + "RawExtension": _raw_json,
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": _int_or_string,
    "k8s.io.apimachinery.pkg.api.resource.Quantity": lambda f: _text(_last(f, 1, b"")),
}
