"""The API server's JSON decoding of a request body into the kind's Go types.

The API server decodes a body with sigs.k8s.io/json (encoding/json, case-sensitive, strict):
a value of the wrong JSON type fails the request, with encoding/json's message naming the
Go struct that holds the field, the field's path from the top (JSON names, no list
indices) and the Go type (`json: cannot unmarshal array into Go struct field
ServiceSpec.spec.selector of type map[string]string`); fields the types do not have are the
strict decoding errors (`unknown field "spec.foo"`), reported only when nothing else failed.
The Go types of every served kind are data (sim/api/data/gotypes.json, built by
``python -m sim.api.gotypes_schema`` from the Kubernetes sources).

As the decoder does: a type error is kept and decoding goes on (the first one is
reported), while an error from a type's own UnmarshalJSON (a quantity, an int-or-string, a
time) ends decoding at once and wins; ``null`` is never wrong.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from functools import lru_cache
from pathlib import Path

from .errors import ApiError

TABLE = Path(__file__).resolve().parent / "data" / "gotypes.json"

_INT_RANGES = {"int8": 8, "int16": 16, "int32": 32, "int64": 64, "int": 64,
               "uint8": -8, "uint16": -16, "uint32": -32, "uint64": -64, "uint": -64}


@lru_cache(maxsize=1)
def table() -> dict:
    return json.loads(TABLE.read_text())


@lru_cache(maxsize=None)
def _fields(ref: str) -> dict[str, str]:
    """A struct's JSON fields, those of inlined (embedded) structs promoted, its own first."""
    entry = table()["types"][ref]
    out: dict[str, str] = {}
    for inner in entry.get("inline", ()):
        out.update(_fields(inner))
    out.update(entry.get("struct") or {})
    return out


def kind_type(api_version: str, kind: str) -> str | None:
    """The Go type a served kind decodes into (a key of the table's types), or None."""
    return table()["kinds"].get(f"{api_version}/{kind}")


def fields_of(ref: str) -> dict[str, str]:
    """A struct type's JSON field names and their type references (inlined ones included)."""
    return dict(_fields(ref))


def go_name(ref: str) -> str:
    """A type reference as Go's reflect prints it (``[]v1.Container``, ``*int32``)."""
    if ref.startswith("*"):
        return "*" + go_name(ref[1:])
    if ref.startswith("[]"):
        return "[]" + go_name(ref[2:])
    if ref.startswith("map["):
        key, _, value = ref[4:].partition("]")
        return f"map[{go_name(key)}]{go_name(value)}"
    entry = table()["types"].get(ref)
    return entry["go"] if entry else ref


def resolve(ref: str) -> tuple[str, dict | None]:
    """(the reference, its table entry) with pointers taken off; entry None for Go's own types."""
    while ref.startswith("*"):
        ref = ref[1:]
    if ref.startswith(("[]", "map[")):
        return ref, None
    return ref, table()["types"].get(ref)


def json_kind(value) -> str:
    """How encoding/json names a JSON value in a type error."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def number_text(value) -> str:
    """A number as kubectl's JSON carries it (Go's float formatting for whole floats)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


class DecodeError(Exception):
    """The decoder's message (without the ``Kind in version`` prefix)."""


class _Fatal(Exception):
    pass


class _Decoder:
    def __init__(self, sort_keys: bool):
        self.sort_keys = sort_keys
        self.saved: str | None = None
        self.unknown: list[str] = []
        self.prune: list[tuple[dict, str]] = []
        self.struct = ""
        self.stack: list[str] = []

    # -- errors ---------------------------------------------------------------------

    def type_error(self, value_text: str, type_name: str) -> str:
        if self.struct or self.stack:
            return (f"json: cannot unmarshal {value_text} into Go struct field "
                    f"{self.struct}.{'.'.join(self.stack)} of type {type_name}")
        return f"json: cannot unmarshal {value_text} into Go value of type {type_name}"

    def save(self, message: str) -> None:
        if self.saved is None:
            self.saved = message

    # -- values ---------------------------------------------------------------------

    def value(self, value, ref: str, path: str, shown: str | None = None) -> None:
        if value is None:
            return
        ref, entry = resolve(ref)
        if entry is not None:
            if "custom" in entry:
                self.custom(value, entry["custom"])
            elif "struct" in entry:
                self.struct_value(value, ref, entry, path)
            else:
                self.value(value, entry["of"], path, shown or entry["go"])
            return
        if ref.startswith("[]"):
            if isinstance(value, list):
                for i, item in enumerate(value):
                    self.value(item, ref[2:], f"{path}[{i}]")
            elif isinstance(value, str) and resolve(ref[2:])[0] == "uint8":
                at = _bad_base64_at(value)
                if at is not None:
                    self.save(f"illegal base64 data at input byte {at}")
            else:
                self.save(self.type_error(json_kind(value), shown or go_name(ref)))
            return
        if ref.startswith("map["):
            key_ref, _, item_ref = ref[4:].partition("]")
            if not isinstance(value, dict):
                self.save(self.type_error(json_kind(value), shown or go_name(ref)))
                return
            key_base = resolve(key_ref)
            key_kind = (key_base[1] or {}).get("of", key_base[0])
            for key in self.keys(value):
                if key_kind in _INT_RANGES and not _fits_int(key, key_kind):
                    self.save(self.type_error(f"number {key}", go_name(key_ref)))
                    continue
                self.value(value[key], item_ref, f"{path}.{key}" if path else key)
            return
        self.basic(value, ref, shown)

    def keys(self, obj: dict) -> list[str]:
        return sorted(obj) if self.sort_keys else list(obj)

    def basic(self, value, kind: str, shown: str | None) -> None:
        if kind == "interface {}":
            return
        shown = shown or kind
        if kind == "string":
            if not isinstance(value, str):
                self.save(self.type_error(json_kind(value), shown))
        elif kind == "bool":
            if not isinstance(value, bool):
                self.save(self.type_error(json_kind(value), shown))
        elif kind in _INT_RANGES:
            if json_kind(value) != "number":
                self.save(self.type_error(json_kind(value), shown))
            elif not _fits_int(value, kind):
                self.save(self.type_error(f"number {number_text(value)}", shown))
        elif kind in ("float32", "float64"):
            if json_kind(value) != "number":
                self.save(self.type_error(json_kind(value), shown))

    def struct_value(self, value, ref: str, entry: dict, path: str) -> None:
        if not isinstance(value, dict):
            self.save(self.type_error(json_kind(value), entry["go"]))
            return
        fields = _fields(ref)
        struct_name = entry["go"].rsplit(".", 1)[-1]
        for key in self.keys(value):
            if key not in fields:
                self.unknown.append(f"{path}.{key}" if path else key)
                self.prune.append((value, key))
                continue
            outer = (self.struct, len(self.stack))
            self.struct = struct_name
            self.stack.append(key)
            self.value(value[key], fields[key], f"{path}.{key}" if path else key)
            self.struct = outer[0]
            del self.stack[outer[1]:]

    def custom(self, value, kind: str) -> None:
        if kind == "IntOrString":
            if isinstance(value, str):
                return
            if json_kind(value) != "number":
                raise _Fatal(self.type_error(json_kind(value), "int32"))
            if not _fits_int(value, "int32"):
                raise _Fatal(self.type_error(f"number {number_text(value)}", "int32"))
        elif kind == "Quantity":
            text = value if isinstance(value, str) else (
                number_text(value) if json_kind(value) == "number"
                else json.dumps(value, separators=(",", ":")).lower())
            problem = quantity_error(text.strip())
            if problem:
                raise _Fatal(problem)
        elif kind in ("Time", "MicroTime"):
            if not isinstance(value, str):
                raise _Fatal(self.type_error(json_kind(value), "string"))
            layout = RFC3339 if kind == "Time" else RFC3339_MICRO
            problem = time_parse_error(value, layout)
            if problem:
                raise _Fatal(problem)
        elif kind == "Duration":
            if not isinstance(value, str):
                raise _Fatal(self.type_error(json_kind(value), "string"))


def decode(ref: str, obj: dict, sort_keys: bool = False) -> list[str]:
    """Check ``obj`` against the Go type ``ref`` as the API server's decoder reads it.

    Raises DecodeError with the decoder's message for a value of the wrong type; else
    returns the strict decoding errors' paths (fields the types lack: ``spec.foo``,
    ``spec.containers[0].bar``), in the order the decoder meets them, and removes those
    fields from ``obj``. ``sort_keys``: read maps in key order, as a body that kubectl
    encoded from a map arrives (the order of the first error reported)."""
    decoder = _Decoder(sort_keys)
    try:
        decoder.value(obj, ref, "")
    except _Fatal as fatal:
        raise DecodeError(str(fatal)) from None
    if decoder.saved is not None:
        raise DecodeError(decoder.saved)
    for holder, key in decoder.prune:
        holder.pop(key, None)
    return decoder.unknown


def check(rt_kind: str, api_version: str, obj: dict, sort_keys: bool = False) -> list[str]:
    """decode() for a served kind; the failure as the API server's BadRequest. Kinds the
    table does not know decode as anything (no unknown fields)."""
    ref = kind_type(api_version, rt_kind)
    if ref is None:
        return []
    version = api_version.rpartition("/")[2]
    try:
        return decode(ref, obj, sort_keys)
    except DecodeError as err:
        raise ApiError(400, "BadRequest", f'{rt_kind} in version "{version}" cannot be '
                                          f"handled as a {rt_kind}: {err}") from None


def _fits_int(value, kind: str) -> bool:
    if isinstance(value, str):
        if not re.fullmatch(r"-?\d+", value):
            return False
        value = int(value)
    if isinstance(value, float):
        if not value.is_integer():
            return False
        value = int(value)
    bits = _INT_RANGES[kind]
    if bits < 0:
        return 0 <= value < 2 ** -bits
    return -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)


def _bad_base64_at(text: str) -> int | None:
    """Where Go's base64 (StdEncoding) decoder gives up, or None when the text decodes."""
    try:
        base64.b64decode(text, validate=True)
        return None
    except (binascii.Error, ValueError):
        pass
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    for i, ch in enumerate(text):
        if ch == "=":
            return i if (i % 4) < 2 else len(text)
        if ch not in alphabet:
            return i
    return len(text) - (len(text) % 4)


# -- resource.Quantity (k8s.io/apimachinery/pkg/api/resource: ParseQuantity) ------------

QUANTITY_FORMAT = ("quantities must match the regular expression "
                   "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
QUANTITY_SUFFIX = "unable to parse quantity's suffix"
_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"}


def quantity_error(text: str) -> str | None:
    """ParseQuantity's error for ``text``, or None when it parses."""
    if not text:
        return QUANTITY_FORMAT
    if text == "0":
        return None
    match = re.fullmatch(r"[+-]?0*([0-9]*)(?:\.([0-9]*))?(.*)", text)
    rest = match.group(3) if match else text
    if not match:
        return QUANTITY_FORMAT
    suffix = re.match(r"[eEinumkKMGTP]*", rest).group(0)
    tail = rest[len(suffix):]
    if not re.fullmatch(r"[-+]?[0-9]*", tail):
        return QUANTITY_FORMAT
    suffix = rest
    if suffix in _SUFFIXES:
        return None
    if len(suffix) > 1 and suffix[0] in "eE" and re.fullmatch(r"[-+]?[0-9]+", suffix[1:]) \
            and -2 ** 63 <= int(suffix[1:]) < 2 ** 63:
        return None
    return QUANTITY_SUFFIX


# -- time.Parse with the RFC 3339 layouts (metav1.Time, metav1.MicroTime) -------------

RFC3339 = "2006-01-02T15:04:05Z07:00"
RFC3339_MICRO = "2006-01-02T15:04:05.000000Z07:00"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _getnum(s: str, fixed: bool) -> tuple[int | None, str]:
    if not s[:1].isdigit() or not s[:1].isascii():
        return None, s
    if not (len(s) > 1 and s[1].isdigit() and s[1].isascii()):
        if fixed:
            return None, s
        return int(s[0]), s[1:]
    return int(s[:2]), s[2:]


def time_parse_error(value: str, layout: str) -> str | None:
    """Go's time.Parse error for ``value`` in an RFC 3339 layout, or None when it parses."""
    micro = layout == RFC3339_MICRO
    chunks = [("", "2006"), ("-", "01"), ("-", "02"), ("T", "15"), (":", "04"), (":", "05")]
    if micro:
        chunks.append(("", ".000000"))
    chunks.append(("", "Z07:00"))
    rest = value
    numbers: dict[str, int] = {}

    def failure(elem: str, at: str, message: str = "") -> str:
        if message:
            return f"parsing time {_quote(value)}{message}"
        return (f"parsing time {_quote(value)} as {_quote(layout)}: cannot parse "
                f"{_quote(at)} as {_quote(elem)}")

    for prefix, std in chunks:
        if prefix:
            if not rest.startswith(prefix):
                return failure(prefix, rest)
            rest = rest[len(prefix):]
        hold = rest
        if std == "2006":
            if len(rest) < 4 or not rest[0].isdigit() or not rest[:4].isdigit():
                return failure(std, hold)
            numbers["year"], rest = int(rest[:4]), rest[4:]
        elif std in ("01", "02", "15", "04", "05"):
            number, rest = _getnum(rest, std != "15")
            if number is None:
                return failure(std, hold)
            name = {"01": "month", "02": "day", "15": "hour", "04": "minute", "05": "second"}[std]
            limit = {"01": (1, 12), "02": (0, 31), "15": (0, 23), "04": (0, 59), "05": (0, 59)}[std]
            if not limit[0] <= number <= limit[1]:
                return failure(std, rest, f": {name} out of range")
            numbers[name] = number
            if std == "05" and not micro and len(rest) >= 2 and rest[0] in ".," \
                    and rest[1].isdigit():
                n = 2
                while n < len(rest) and rest[n].isdigit():
                    n += 1
                rest = rest[n:]
        elif std == ".000000":
            if len(rest) < 7 or rest[0] != "." or not rest[1:7].isdigit():
                return failure(std, hold)
            rest = rest[7:]
        else:  # Z07:00
            if rest[:1] == "Z":
                rest = rest[1:]
                continue
            if len(rest) < 6 or rest[3] != ":" or rest[0] not in "+-":
                return failure(std, hold)
            hour, _ = _getnum(rest[1:3], True)
            minute, _ = _getnum(rest[4:6], True)
            if hour is None or minute is None:
                return failure(std, hold)
            if hour > 24:
                return failure(std, rest[6:], ": time zone offset hour out of range")
            if minute > 60:
                return failure(std, rest[6:], ": time zone offset minute out of range")
            rest = rest[6:]
    if rest:
        return failure("", rest, f": extra text: {_quote(rest)}")
    year, month, day = numbers["year"], numbers["month"], numbers["day"]
    days = [31, 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    if not 1 <= day <= days:
        return failure("", "", ": day out of range")
    return None


OBJECT_META = "k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta"


def metadata_error(obj: dict) -> str | None:
    """What kubectl's own decoding of a manifest's metadata says (client-go reads it into
    ObjectMeta with encoding/json before anything is sent; unknown fields pass), or None."""
    decoder = _Decoder(sort_keys=True)
    decoder.struct, decoder.stack = "metadataOnlyObject", ["metadata"]
    try:
        decoder.value(obj.get("metadata"), OBJECT_META, "metadata")
    except _Fatal as fatal:
        return str(fatal)
    return decoder.saved
