"""`-o yaml` as kubectl prints it: go-yaml v2's rendering of the JSON (sigs.k8s.io/yaml).

Keys in go-yaml's natural order, strings quoted only where go-yaml would read them as
something else, long plain strings folded at 80 columns, `|` blocks for multi-line text.
"""
from __future__ import annotations

import functools
import math
import re

import yaml

from .jsonfmt import go_float, wrap


def _go_yaml_key_less(a: str, b: str) -> bool:
    """go-yaml v2 keyList.Less: letters after other runes, digit runs compared as numbers."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdigit():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        a_end = i
        while a_end < len(a) and a[a_end].isdigit():
            an = an * 10 + int(a[a_end])
            a_end += 1
        b_end = i
        while b_end < len(b) and b[b_end].isdigit():
            bn = bn * 10 + int(b[b_end])
            b_end += 1
        if an != bn:
            return an < bn
        if a_end != b_end:
            return a_end < b_end
        return ca < cb
    return len(a) < len(b)


def _key_cmp(a: str, b: str) -> int:
    if _go_yaml_key_less(a, b):
        return -1
    if _go_yaml_key_less(b, a):
        return 1
    return 0


_YAML_SPECIAL = {"", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no",
                 "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON",
                 "off", "Off", "OFF", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf",
                 "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"}
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_DOT_FLOAT = re.compile(r"^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$")
_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_TIMESTAMP = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}(?:$|[Tt ]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d{1,9})?"
    r"(?:$|Z$|[+-]\d{2}:\d{2}$))")


def _go_parse_int(text: str) -> bool:
    """strconv.ParseInt/ParseUint with base 0 (after underscores are dropped)."""
    body = text[1:] if text[:1] in "+-" else text
    if not body:
        return False
    lower = body.lower()
    for prefix, digits, base in (("0x", "0-9a-f", 16), ("0o", "0-7", 8), ("0b", "01", 2)):
        if lower.startswith(prefix):
            return bool(re.fullmatch(f"[{digits}]+", lower[2:])) and _fits(text, int(lower[2:], base))
    if lower.startswith("0") and len(lower) > 1:
        return bool(re.fullmatch(r"[0-7]+", lower[1:])) and _fits(text, int(lower[1:], 8))
    return body.isdigit() and body.isascii()


def _fits(text: str, magnitude: int) -> bool:
    """In range for ParseInt (int64) or, unsigned, for ParseUint (uint64)."""
    if text.startswith("-"):
        return magnitude <= 2**63
    return magnitude < 2**64


def _valid_timestamp(text: str) -> bool:
    if not _TIMESTAMP.match(text):
        return False
    try:
        y, m, d = (int(p) for p in re.split(r"[Tt ]", text)[0].split("-"))
        import datetime as _dt
        _dt.date(y, m, d)
        return True
    except ValueError:
        return False


def _finite(text: str) -> bool:
    """strconv.ParseFloat fails (ErrRange) where the value overflows."""
    return not math.isinf(float(text.replace("_", "")))


def yaml_needs_quotes(text: str) -> bool:
    """True when go-yaml would resolve the plain scalar to a non-string."""
    if text in _YAML_SPECIAL:
        return True
    first = text[0]
    if first == ".":
        return bool(_DOT_FLOAT.match(text)) and _finite(text)
    if first in "+-0123456789":
        if first.isdigit() and _valid_timestamp(text):
            return True
        plain = text.replace("_", "")
        if _go_parse_int(plain) or (_YAML_FLOAT.match(plain) and _finite(plain)):
            return True
        return bool(_BASE60.match(text))
    return False


class _Resolver(yaml.resolver.BaseResolver):
    """Implicit types only for the exact texts emitted for JSON scalars; whether a string
    needs quotes is decided by the representer, as go-yaml decides it."""


_Resolver.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^-?[0-9]+$"), list("-0123456789"))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(r"^-?[0-9]+(?:\.[0-9]+)?(?:e[-+][0-9]+)?$"),
                                list("-0123456789"))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^null$"), ["n"])


# libyaml's emitter when PyYAML has it: go-yaml's emitter is a port of it, and it is fast.
try:
    from yaml.cyaml import CEmitter as _Emitter
except ImportError:  # PyYAML built without libyaml
    _Emitter = None


class _Dumper(_Emitter or yaml.emitter.Emitter, *(() if _Emitter else (yaml.serializer.Serializer,)),
              yaml.representer.Representer, _Resolver):
    def __init__(self, stream, **kwargs) -> None:  # noqa: ANN001 - PyYAML's signature
        if _Emitter:
            _Emitter.__init__(self, stream, width=80, allow_unicode=True)
        else:
            yaml.emitter.Emitter.__init__(self, stream, width=80, allow_unicode=True)
            yaml.serializer.Serializer.__init__(self)
        yaml.representer.Representer.__init__(self, default_flow_style=False, sort_keys=False)
        _Resolver.__init__(self)

    def ignore_aliases(self, data: object) -> bool:
        return True


def _represent_str(dumper: _Dumper, text: str) -> yaml.Node:
    style = None
    if "\n" in text:
        style = "|"
    elif yaml_needs_quotes(text):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_dict(dumper: _Dumper, data: dict) -> yaml.Node:
    keys = sorted(data, key=functools.cmp_to_key(_key_cmp))
    return dumper.represent_mapping("tag:yaml.org,2002:map", [(k, data[k]) for k in keys])


def _represent_float(dumper: _Dumper, value: float) -> yaml.Node:
    if value == int(value) and abs(value) < 1e21:
        text = str(int(value))
    else:
        text = go_float(value)
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(float, _represent_float)
_Dumper.add_representer(type(None), lambda d, _: d.represent_scalar("tag:yaml.org,2002:null", "null"))


def to_yaml(obj_or_list: dict | list) -> str:
    return yaml.dump(wrap(obj_or_list), Dumper=_Dumper)
