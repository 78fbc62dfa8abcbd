"""`-o custom-columns=HEADER:PATH,…` (kubectl get's CustomColumnsPrinter)."""
from __future__ import annotations

import re

from .gofmt import go_sprint
from .jsonpath import JSONPathError, _Evaluator, parse
from .table import escape_terminal
from .tabwriter import table_layout

_RELAXED = re.compile(r"^\{\.?([^{}]+)\}$|^\.?([^{}]+)$")


class CustomColumnsError(Exception):
    """Message as kubectl prints it after `error: `; `partial` is what stdout got first."""

    def __init__(self, message: str, partial: str = "") -> None:
        super().__init__(message)
        self.partial = partial


def relaxed_jsonpath(expr: str) -> str:
    """`a.b`, `.a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`."""
    if not expr:
        return expr
    match = _RELAXED.match(expr)
    if match is None:
        raise CustomColumnsError(
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
            "'{name1.name2}' or '{.name1.name2}'")
    return "{." + (match.group(1) or match.group(2)) + "}"


def parse_spec(spec: str) -> list[tuple[str, str]]:
    if not spec:
        raise CustomColumnsError("custom-columns format specified but no custom columns given")
    columns = []
    for part in spec.split(","):
        pieces = part.split(":", 1)
        if len(pieces) != 2:
            raise CustomColumnsError(
                f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
        columns.append((pieces[0], relaxed_jsonpath(pieces[1])))
    return columns


def _cell(template: str, obj: dict) -> str:
    try:
        groups = _Evaluator(True).find(obj, parse(template).nodes)
    except JSONPathError as err:
        raise CustomColumnsError(str(err)) from None
    values = [escape_terminal(go_sprint(v)) for group in groups for v in group]
    if not groups or not groups[0]:
        values.insert(0, "<none>")
    return ",".join(values)


def custom_columns(spec: str, objects: list[dict], *, no_headers: bool = False) -> str:
    columns = parse_spec(spec)
    lines = [] if no_headers else ["\t".join(h for h, _ in columns)]
    for _, path in columns:
        try:
            parse(path)
        except JSONPathError as err:
            partial = table_layout("\n".join(lines) + "\n") if lines else ""
            raise CustomColumnsError(str(err), partial) from None
    for obj in objects:
        lines.append("\t".join(_cell(path, obj) for _, path in columns))
    if not lines:
        return ""
    return table_layout("\n".join(lines) + "\n")
