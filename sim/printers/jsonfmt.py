"""`-o json` as kubectl prints it: Go's encoding/json, keys sorted, HTML-safe escapes.

kubectl decodes what the server sends into plain maps and re-encodes them, so keys come
out sorted by bytes whatever order the server used.
"""
from __future__ import annotations

import decimal
import math
from typing import Iterable, Iterator

_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                 "\b": "\\b", "\f": "\\f", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}


def as_list(objects: list[dict]) -> dict:
    """What kubectl prints for several objects."""
    return {"apiVersion": "v1", "items": list(objects), "kind": "List",
            "metadata": {"resourceVersion": ""}}


def wrap(obj_or_list: dict | list) -> dict:
    return as_list(obj_or_list) if isinstance(obj_or_list, list) else obj_or_list


def go_float(value: float) -> str:
    """encoding/json's float format: shortest digits, exponent only outside [1e-6, 1e21)."""
    if math.isinf(value) or math.isnan(value):
        raise ValueError(f"json: unsupported value: {value}")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = repr(value)
        mantissa, exp = text.split("e")
        sign, digits = exp[0], exp[1:].lstrip("0") or "0"
        if sign == "-" and len(digits) == 1:
            return f"{mantissa}e-{digits}"
        return f"{mantissa}e{sign}{digits.zfill(2)}"
    text = format(decimal.Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _json_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _json(value: object, indent: str, out: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "    "
        out.append("{\n")
        items = sorted(value.items(), key=lambda kv: kv[0].encode())
        for i, (key, item) in enumerate(items):
            out.append(f"{inner}{_json_string(key)}: ")
            _json(item, inner, out)
            out.append(",\n" if i < len(items) - 1 else "\n")
        out.append(indent + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = indent + "    "
        out.append("[\n")
        for i, item in enumerate(value):
            out.append(inner)
            _json(item, inner, out)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append(indent + "]")
    else:
        out.append(json_scalar(value))


def json_scalar(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    return _json_string(str(value))


def indented_json(value: object) -> str:
    """json.MarshalIndent(value, "", "    ") and a newline."""
    out: list[str] = []
    _json(value, "", out)
    return "".join(out) + "\n"


def to_json(obj_or_list: dict | list) -> str:
    return indented_json(wrap(obj_or_list))


def iter_json(value: object, indent: str = "", depth: int = 2) -> Iterator[str]:
    """``indented_json(value)`` in pieces: the outer ``depth`` levels of maps and lists
    piece by piece, each thing below them as one piece (an item of a list as a whole), so
    a list of 100,000 objects is written without building one string of them all."""
    if depth <= 0 or not isinstance(value, (dict, list, tuple)) or not value:
        out: list[str] = []
        _json(value, indent, out)
        yield "".join(out)
    else:
        inner = indent + "    "
        if isinstance(value, dict):
            yield "{\n"
            items = sorted(value.items(), key=lambda kv: kv[0].encode())
            for i, (key, item) in enumerate(items):
                yield f"{inner}{_json_string(key)}: "
                yield from iter_json(item, inner, depth - 1)
                yield ",\n" if i < len(items) - 1 else "\n"
            yield indent + "}"
        else:
            yield "[\n"
            for i, item in enumerate(value):
                yield inner
                yield from iter_json(item, inner, depth - 1)
                yield ",\n" if i < len(value) - 1 else "\n"
            yield indent + "]"
    if not indent:
        yield "\n"


def to_json_chunks(obj_or_list: dict | list, size: int = 1 << 16) -> Iterator[str]:
    """``to_json`` as pieces of about ``size`` characters, in order."""
    return batched_text(iter_json(wrap(obj_or_list)), size)


def batched_text(pieces: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """Small pieces of text joined into pieces of about ``size`` characters."""
    batch: list[str] = []
    length = 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    if batch:
        yield "".join(batch)


def compact_json(value: object) -> str:
    """json.Marshal without indentation (jsonpath prints maps and lists this way)."""
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: kv[0].encode())
        return "{" + ",".join(f"{_json_string(k)}:{compact_json(v)}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(compact_json(v) for v in value) + "]"
    return json_scalar(value)
