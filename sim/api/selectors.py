"""Label and field selectors: the string forms kubectl sends and the API's object forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .errors import bad_request

Requirement = tuple[str, str, tuple[str, ...]]  # key, operator, values

_TOKEN = re.compile(r"\s*(!=|==|=|\bnotin\b|\bin\b|!|\(|\)|,|[^\s!=,()]+)")


def parse_label_selector(text: str | None) -> list[Requirement]:
    """``a=b,c!=d,e in (x,y),f notin (z),g,!h`` as labels.Parse reads it."""
    if not text or not text.strip():
        return []
    tokens = [t for t in _TOKEN.findall(text)]
    reqs: list[Requirement] = []
    i = 0

    def fail() -> None:
        raise bad_request(f"unable to parse requirement: found '{text}', expected: "
                          "identifier, '!=', '==', '=', 'in', 'notin'")

    while i < len(tokens):
        tok = tokens[i]
        if tok == "!":
            if i + 1 >= len(tokens):
                fail()
            reqs.append((tokens[i + 1], "DoesNotExist", ()))
            i += 2
        else:
            key = tok
            op = tokens[i + 1] if i + 1 < len(tokens) else ","
            if op == ",":
                reqs.append((key, "Exists", ()))
                i += 1
            elif op in ("=", "==", "!="):
                value = tokens[i + 2] if i + 2 < len(tokens) and tokens[i + 2] != "," else ""
                reqs.append((key, "NotEquals" if op == "!=" else "Equals", (value,)))
                i += 3 if value else 2
            elif op in ("in", "notin"):
                if i + 2 >= len(tokens) or tokens[i + 2] != "(":
                    fail()
                j = i + 3
                values: list[str] = []
                while j < len(tokens) and tokens[j] != ")":
                    if tokens[j] != ",":
                        values.append(tokens[j])
                    j += 1
                reqs.append((key, "In" if op == "in" else "NotIn", tuple(values)))
                i = j + 1
            else:
                fail()
        if i < len(tokens):
            if tokens[i] != ",":
                fail()
            i += 1
    return reqs


def selector_from_api(selector: dict | None) -> list[Requirement] | None:
    """A metav1.LabelSelector (matchLabels + matchExpressions); None selects nothing."""
    if selector is None:
        return None
    reqs: list[Requirement] = [(k, "Equals", (v,)) for k, v in
                               sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        reqs.append((expr["key"], expr["operator"], tuple(expr.get("values") or ())))
    return reqs


def selector_from_map(labels: dict | None) -> list[Requirement]:
    """A Service's or ReplicationController's plain map selector."""
    return [(k, "Equals", (v,)) for k, v in sorted((labels or {}).items())]


def matches(reqs: list[Requirement] | None, labels: dict | None) -> bool:
    if reqs is None:
        return False
    labels = labels or {}
    for key, op, values in reqs:
        present = key in labels
        value = labels.get(key)
        if op == "Equals":
            if not present or value != values[0]:
                return False
        elif op == "NotEquals":
            if present and value == values[0]:
                return False
        elif op == "In":
            if not present or value not in values:
                return False
        elif op == "NotIn":
            if present and value in values:
                return False
        elif op == "Exists":
            if not present:
                return False
        elif op == "DoesNotExist":
            if present:
                return False
    return True


def format_selector(reqs: list[Requirement]) -> str:
    """The string form (``app=x,tier!=y``) as metav1.FormatLabelSelector writes it."""
    parts = []
    for key, op, values in reqs:
        if op == "Equals":
            parts.append(f"{key}={values[0]}")
        elif op == "NotEquals":
            parts.append(f"{key}!={values[0]}")
        elif op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(key)
        else:
            parts.append(f"!{key}")
    return ",".join(parts) if parts else "<none>"


@dataclass
class FieldRequirement:
    path: tuple[str, ...]
    equal: bool
    value: str


def parse_field_selector(text: str | None) -> list[FieldRequirement]:
    if not text or not text.strip():
        return []
    out = []
    for part in text.split(","):
        part = part.strip()
        if "!=" in part:
            key, value = part.split("!=", 1)
            equal = False
        elif "==" in part:
            key, value = part.split("==", 1)
            equal = True
        elif "=" in part:
            key, value = part.split("=", 1)
            equal = True
        else:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        out.append(FieldRequirement(tuple(key.strip().split(".")), equal, value.strip()))
    return out


def _lookup(obj: dict, path: tuple[str, ...]) -> str:
    cur: object = obj
    for step in path:
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(step)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def field_matcher(reqs: list[FieldRequirement]) -> Callable[[dict], bool]:
    def match(obj: dict) -> bool:
        return all((_lookup(obj, r.path) == r.value) == r.equal for r in reqs)
    return match
