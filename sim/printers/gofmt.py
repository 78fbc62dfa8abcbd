"""Go's fmt renderings of decoded JSON values (fmt.Sprint and %#v), as kubectl shows them."""
from __future__ import annotations

import decimal
from typing import Any


def _shortest_g(value: float, low: int, high: int) -> str:
    """Shortest digits; exponent form when the decimal exponent is < low or >= high."""
    if value == 0:
        return "0"
    text = repr(value)
    exp = decimal.Decimal(text).adjusted()
    if exp < low or exp >= high:
        digits = format(decimal.Decimal(text).scaleb(-exp).normalize(), "f")
        sign = "-" if exp < 0 else "+"
        return f"{digits}e{sign}{abs(exp):02d}"
    plain = format(decimal.Decimal(text), "f")
    return plain.rstrip("0").rstrip(".") if "." in plain else plain


def go_value_text(value: Any) -> str:
    """fmt.Sprint of a scalar."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return _shortest_g(value, -4, 21)
    return str(value)


def go_type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    return "string"


def go_quote(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append("\\" + "abfnrtv"["\a\b\f\n\r\t\v".index(ch)])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif not ch.isprintable() and ch != " ":
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_sharp_v(value: Any, top: bool = True) -> str:
    """%#v of a decoded JSON value (map keys sorted, as fmt does)."""
    if isinstance(value, dict):
        items = ", ".join(f"{go_quote(k)}:{go_sharp_v(value[k], False)}" for k in sorted(value))
        return "map[string]interface {}{" + items + "}"
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(go_sharp_v(v, False) for v in value) + "}"
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, float):
        return _shortest_g(value, -4, 21)
    return go_value_text(value)


def go_sprint(value: Any) -> str:
    """fmt.Sprint of any decoded JSON value: maps as `map[k:v]`, lists as `[a b]`."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    return go_value_text(value)
