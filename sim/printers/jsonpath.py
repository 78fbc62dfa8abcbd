"""kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath semantics).

A template is text with `{…}` actions.  Each action yields a list of values printed
joined by one space; maps and lists print as compact JSON; `{range …}…{end}` repeats
the enclosed actions for each value.  Missing keys print nothing (kubectl's default
--allow-missing-template-keys=true).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .gofmt import go_quote, go_sharp_v, go_type_name, go_value_text
from .jsonfmt import compact_json, indented_json

class JSONPathError(Exception):
    """Message as kubectl prints it after `error: `."""


@dataclass
class Node:
    kind: str                        # list text field array filter int float bool wildcard recursive union identifier
    value: Any = None
    nodes: list["Node"] = field(default_factory=list)
    params: list[list[Any]] = field(default_factory=list)   # [value, known, derived]
    left: "Node | None" = None
    right: "Node | None" = None
    op: str = ""
    union: list["Node"] = field(default_factory=list)


_TERMINATORS = set(" \t\r\n.,[]$@{}")
_SLICE = re.compile(r"^(-?\d*)(:-?\d*)?(:-?\d*)?$")
_DICT_KEY = re.compile(r"^'([^']*)'$")
_FILTER = re.compile(r"^([^!<>=]+)([!<>=]+)(.+?)$", re.S)


def _unquote(text: str) -> str:
    """strconv.Unquote for "…" and, after swapping quotes, for '…' (UnquoteExtend)."""
    body = text[1:-1]
    out, i = [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
              "\\": "\\", '"': '"', "'": "'"}
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif nxt in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[nxt]
            out.append(chr(int(body[i + 2:i + 2 + size], 16)))
            i += 2 + size
        elif nxt.isdigit():
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        else:
            raise JSONPathError(f"unquote string {text} error invalid syntax")
    return "".join(out)


class _Parser:
    def __init__(self, text: str) -> None:
        self.input, self.pos, self.start = text, 0, 0
        self.root = Node("list")

    # -- scanning
    def next(self) -> str:
        if self.pos >= len(self.input):
            self.pos += 1
            return ""
        ch = self.input[self.pos]
        self.pos += 1
        return ch

    def backup(self) -> None:
        self.pos -= 1

    def peek(self) -> str:
        return self.input[self.pos] if self.pos < len(self.input) else ""

    def consume(self) -> str:
        text = self.input[self.start:min(self.pos, len(self.input))]
        self.start = self.pos
        return text

    # -- grammar
    def parse(self) -> Node:
        self.parse_text(self.root)
        return self.root

    def parse_text(self, cur: Node) -> None:
        while True:
            if self.input.startswith("{", self.pos):
                if self.pos > self.start:
                    cur.nodes.append(Node("text", self.consume()))
                self.pos += 1
                self.consume()
                node = Node("list")
                self.root.nodes.append(node)
                self.inside(node)
                return
            if self.next() == "":
                break
        self.pos = min(self.pos, len(self.input))
        if self.pos > self.start:
            cur.nodes.append(Node("text", self.consume()))

    def inside(self, cur: Node) -> None:
        while True:
            rest = self.input[self.pos:]
            if rest.startswith("}"):
                self.pos += 1
                self.consume()
                self.parse_text(self.root)
                return
            if rest.startswith("[?("):
                self.parse_filter(cur)
                continue
            if rest.startswith(".."):
                self.parse_recursive(cur)
                continue
            ch = self.next()
            if ch == "" or ch in "\r\n":
                raise JSONPathError("unclosed action")
            if ch in " @$":
                self.consume()
            elif ch == "[":
                self.parse_array(cur)
            elif ch in "\"'":
                self.parse_quote(cur, ch)
            elif ch == ".":
                self.parse_field(cur)
            elif ch in "+-" or ch.isdigit():
                self.backup()
                self.parse_number(cur)
            elif ch.isalnum() or ch == "_":
                self.backup()
                self.parse_identifier(cur)
            else:
                raise JSONPathError(f"unrecognized character in action: U+{ord(ch):04X} '{ch}'")

    def parse_field(self, cur: Node) -> None:
        self.consume()
        while True:
            ch = self.next()
            if ch == "\\":
                self.next()
            elif ch == "" or ch in _TERMINATORS:
                self.backup()
                break
        value = self.consume()
        if value == "*":
            cur.nodes.append(Node("wildcard"))
        else:
            cur.nodes.append(Node("field", value.replace("\\", "")))

    def parse_recursive(self, cur: Node) -> None:
        if cur.nodes and cur.nodes[-1].kind == "recursive":
            raise JSONPathError("invalid multiple recursive descent")
        self.pos += 2
        self.consume()
        cur.nodes.append(Node("recursive"))
        if self.peek().isalnum() or self.peek() == "_":
            self.parse_field(cur)

    def parse_identifier(self, cur: Node) -> None:
        while True:
            ch = self.next()
            if ch == "" or ch in _TERMINATORS:
                self.backup()
                break
        value = self.consume()
        if value in ("true", "false"):
            cur.nodes.append(Node("bool", value == "true"))
        else:
            cur.nodes.append(Node("identifier", value))

    def parse_number(self, cur: Node) -> None:
        if self.peek() in ("+", "-"):
            self.next()
        while True:
            ch = self.next()
            if ch != "." and not ch.isdigit():
                self.backup()
                break
        text = self.consume()
        if re.fullmatch(r"[+-]?\d+", text):
            cur.nodes.append(Node("int", int(text)))
            return
        try:
            cur.nodes.append(Node("float", float(text)))
        except ValueError:
            raise JSONPathError(f"cannot parse number {text}") from None

    def parse_quote(self, cur: Node, end: str) -> None:
        while True:
            ch = self.next()
            if ch == "" or ch == "\n":
                raise JSONPathError("unterminated quoted string")
            if ch == end and self.input[self.pos - 2] != "\\":
                break
        text = self.consume()
        if end == "'":
            text = '"' + text[1:-1].replace('"', '\\"') + '"'
        cur.nodes.append(Node("text", _unquote(text)))

    def parse_array(self, cur: Node) -> None:
        while True:
            ch = self.next()
            if ch == "" or ch == "\n":
                raise JSONPathError("unterminated array")
            if ch == "]":
                break
        text = self.consume()[1:-1]
        if text == "*":
            text = ":"
        parts = text.split(",")
        if len(parts) > 1:
            cur.nodes.append(Node("union", union=[_action(f"[{p.strip(' ')}]") for p in parts]))
            return
        key = _DICT_KEY.match(text)
        if key:
            cur.nodes.extend(_action(f".{key.group(1)}").nodes)
            return
        match = _SLICE.match(text)
        if not match:
            raise JSONPathError(f"invalid array index {text}")
        groups = list(match.groups())
        params: list[list[Any]] = []
        for i in range(3):
            raw = groups[i]
            if raw is not None and raw != "":
                raw = raw[1:] if i > 0 else raw
                if i > 0 and raw == "":
                    params.append([0, False, False])
                else:
                    try:
                        params.append([int(raw), True, False])
                    except ValueError:
                        raise JSONPathError(f"array index {raw} is not a number") from None
            elif i == 1:
                params.append([params[0][0] + 1, True, True])
            else:
                params.append([0, False, False])
        cur.nodes.append(Node("array", params=params))

    def parse_filter(self, cur: Node) -> None:
        self.pos += 3
        self.consume()
        begin = end = False
        pair = ""
        while True:
            ch = self.next()
            if ch == "" or ch == "\n":
                raise JSONPathError("unterminated filter")
            if ch in "\"'":
                if not begin:
                    begin, pair = True, ch
                    continue
                if self.input[self.pos - 2] != "\\" and ch == pair:
                    end = True
            elif ch == ")" and begin == end:
                break
        if self.next() != "]":
            raise JSONPathError("unclosed array expect ]")
        text = self.consume()[:-2]
        match = _FILTER.match(text)
        if match is None:
            cur.nodes.append(Node("filter", left=_action(text), right=Node("list"), op="exists"))
        else:
            cur.nodes.append(Node("filter", left=_action(match.group(1)),
                                  right=_action(match.group(3)), op=match.group(2)))


def _action(text: str) -> Node:
    parser = _Parser("{" + text + "}")
    return parser.parse().nodes[0]


def parse(template: str) -> Node:
    return _Parser(template).parse()


class _Evaluator:
    def __init__(self, allow_missing: bool) -> None:
        self.allow_missing = allow_missing
        self.begin_range = self.end_range = self.in_range = 0
        self.last_end: Node | None = None

    def find(self, data: Any, nodes: list[Node]) -> list[list[Any]]:
        full: list[list[Any]] = []
        i = 0
        while i < len(nodes):
            node = nodes[i]
            results = self.walk([data], node)
            if self.end_range > 0 and self.end_range <= self.in_range:
                self.end_range -= 1
                self.last_end = node
                break
            if self.begin_range > 0:
                self.begin_range -= 1
                self.in_range += 1
                if results:
                    for value in results:
                        full.extend(self.find(value, nodes[i + 1:]))
                else:
                    self.find(None, nodes[i + 1:])
                self.in_range -= 1
                for k in range(i + 1, len(nodes)):
                    if nodes[k] is self.last_end:
                        i = k
                        break
                i += 1
                continue
            full.append(results)
            i += 1
        return full

    def walk(self, values: list[Any], node: Node) -> list[Any]:
        handler = getattr(self, "_" + node.kind)
        return handler(values, node)

    def _list(self, values: list[Any], node: Node) -> list[Any]:
        for sub in node.nodes:
            values = self.walk(values, sub)
        return values

    def _text(self, values: list[Any], node: Node) -> list[Any]:
        return [node.value]

    _int = _float = _bool = _text

    def _field(self, values: list[Any], node: Node) -> list[Any]:
        results = []
        for value in values:
            if isinstance(value, dict) and node.value in value:
                results.append(value[node.value])
        if not results and values and not self.allow_missing:
            raise JSONPathError(f"{node.value} is not found")
        return results

    def _array(self, values: list[Any], node: Node) -> list[Any]:
        results: list[Any] = []
        for value in values:
            if value is None:
                continue
            params = [list(p) for p in node.params]
            if not isinstance(value, list):
                raise JSONPathError(f"{go_type_name(value)} is not array or slice")
            length = len(value)
            if not params[0][1]:
                params[0][0] = 0
            if params[0][0] < 0:
                params[0][0] += length
            if not params[1][1]:
                params[1][0] = length
            if params[1][0] < 0 or (params[1][0] == 0 and params[1][2]):
                params[1][0] += length
            start, stop = params[0][0], params[1][0]
            if start == stop:
                return results
            if start >= length or start < 0:
                raise JSONPathError(f"array index out of bounds: index {start}, length {length}")
            if stop > length or stop < 0:
                raise JSONPathError(f"array index out of bounds: index {stop - 1}, length {length}")
            if start > stop:
                raise JSONPathError(f"starting index {start} is greater than ending index {stop}")
            step = 1
            if params[2][1]:
                if params[2][0] <= 0:
                    raise JSONPathError("step must be > 0")
                step = params[2][0]
            results.extend(value[start:stop:step])
        return results

    def _wildcard(self, values: list[Any], node: Node) -> list[Any]:
        results: list[Any] = []
        for value in values:
            if isinstance(value, dict):
                results.extend(value[k] for k in sorted(value))
            elif isinstance(value, (list, str)):
                results.extend(value)
        return results

    def _recursive(self, values: list[Any], node: Node) -> list[Any]:
        results: list[Any] = []
        for value in values:
            if isinstance(value, dict):
                children = [value[k] for k in sorted(value)]
            elif isinstance(value, list):
                children = list(value)
            else:
                if isinstance(value, str) and value:
                    results.append(value)   # Go indexes a string into bytes: leaves only
                continue
            if children:
                results.append(value)
                results.extend(self._recursive(children, node))
        return results

    def _union(self, values: list[Any], node: Node) -> list[Any]:
        results: list[Any] = []
        for part in node.union:
            results.extend(self.walk(values, part))
        return results

    def _identifier(self, values: list[Any], node: Node) -> list[Any]:
        if node.value == "range":
            self.begin_range += 1
            return values
        if node.value == "end":
            if self.in_range > 0:
                self.end_range += 1
                return []
            raise JSONPathError("not in range, nothing to end")
        raise JSONPathError(f"unrecognized identifier {node.value}")

    def _filter(self, values: list[Any], node: Node) -> list[Any]:
        results: list[Any] = []
        for value in values:
            if not isinstance(value, list):
                raise JSONPathError(f"{go_value_text(value)} is not array or slice and cannot be filtered")
            for item in value:
                lefts = self._list([item], node.left)
                if node.op == "exists":
                    if lefts:
                        results.append(item)
                    continue
                if not lefts:
                    continue
                if len(lefts) > 1:
                    raise JSONPathError("can only compare one element at a time")
                rights = self._list([item], node.right)
                if not rights:
                    continue
                if len(rights) > 1:
                    raise JSONPathError("can only compare one element at a time")
                if _compare(lefts[0], rights[0], node.op):
                    results.append(item)
        return results


def _basic_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    raise JSONPathError("invalid type for comparison")


def _compare(left: Any, right: Any, op: str) -> bool:
    lk, rk = _basic_kind(left), _basic_kind(right)
    if op in ("==", "!="):
        if lk != rk:
            if {lk, rk} == {"int", "float"}:
                equal = float(left) == float(right)
            else:
                raise JSONPathError("incompatible types for comparison")
        else:
            equal = left == right
        return equal if op == "==" else not equal
    if lk != rk and {lk, rk} != {"int", "float"}:
        raise JSONPathError("incompatible types for comparison")
    if lk == "bool":
        raise JSONPathError("invalid type for comparison")
    ops = {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}
    if op not in ops:
        raise JSONPathError(f"unrecognized filter operator {op}")
    return ops[op]


def _text_of(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return compact_json(value)
    if value is None:
        return "null"
    return go_value_text(value)


def execute(template: str, data: Any, *, allow_missing: bool = True) -> str:
    root = parse(template)
    groups = _Evaluator(allow_missing).find(data, root.nodes)
    return "".join(" ".join(_text_of(v) for v in group) for group in groups)


def _run(template: str, data: Any) -> list[list[Any]]:
    try:
        root = parse(template)
    except JSONPathError as err:
        raise JSONPathError(f"error parsing jsonpath {template}, {err}") from None
    try:
        return _Evaluator(True).find(data, root.nodes)
    except JSONPathError as err:
        raise JSONPathError(
            f'error executing jsonpath {go_quote(template)}: Error executing template: {err}. '
            "Printing more information for debugging the template:\n"
            f"\ttemplate was:\n\t\t{template}\n"
            f"\tobject given to jsonpath engine was:\n\t\t{go_sharp_v(data)}\n\n") from None


def jsonpath_values(template: str, data: Any) -> list[list[Any]]:
    """The decoded values each action of the template reaches (for `wait --for=jsonpath`)."""
    return _run(template, data)


def jsonpath_as_json(template: str, data: Any) -> str:
    """`-o jsonpath-as-json=TEMPLATE`: each action's values as an indented JSON array."""
    return "".join(indented_json(list(group)) for group in _run(template, data))


def check_jsonpath(template: str) -> None:
    """Parse only, as kubectl does when it builds the printer (before fetching anything)."""
    try:
        parse(template)
    except JSONPathError as err:
        raise JSONPathError(f"error parsing jsonpath {template}, {err}") from None


def jsonpath(template: str, data: Any) -> str:
    """`-o jsonpath=TEMPLATE`, with kubectl's error wording."""
    return "".join(" ".join(_text_of(v) for v in group) for group in _run(template, data))
