"""A YAML syntax error as kubectl words it.

kubectl parses with go-yaml, a port of libyaml; PyYAML is a port of the same code, so the
errors are found at the same places but some are worded differently, and go-yaml numbers
lines its own way: a scanner error names the 1-based line of the problem, a parser error
the 0-based one (falling back to the context's, and to no line at all when that is 0)."""

from __future__ import annotations

import re

import yaml

# PyYAML's wording -> libyaml's (scanner and parser problems that differ)
_REWORDED = [
    (re.compile(r"mapping values are not allowed here"),
     "mapping values are not allowed in this context"),
    (re.compile(r"block sequence entries are not allowed here"),
     "block sequence entries are not allowed in this context"),
    (re.compile(r"found character .* that cannot start any token"),
     "found character that cannot start any token"),
    (re.compile(r"found unknown escape character .*"), "found unknown escape character"),
    (re.compile(r"expected the node content, but found .*"), "did not find expected node content"),
    (re.compile(r"expected ',' or '\]', but got .*"), "did not find expected ',' or ']'"),
    (re.compile(r"expected ',' or '\}', but got .*"), "did not find expected ',' or '}'"),
    (re.compile(r"expected '<document start>', but found .*"),
     "did not find expected <document start>"),
]


def _tab_in_indentation(text: str, mark: yaml.Mark) -> bool:
    lines = text.split("\n")
    if mark.line >= len(lines):
        return False
    line = lines[mark.line]
    return mark.column < len(line) and line[mark.column] == "\t" and not line[:mark.column].strip()


def _problem(error: yaml.MarkedYAMLError, text: str) -> str:
    problem = error.problem or "unknown problem parsing YAML content"
    mark = error.problem_mark
    if "that cannot start any token" in problem and mark is not None and \
            _tab_in_indentation(text, mark):
        return "found a tab character that violates indentation"
    if problem.startswith("expected <block end>, but found"):
        # a block sequence wants its next '-', a block mapping its next key
        collection = (error.context or "").endswith("block collection")
        return "did not find expected '-' indicator" if collection else "did not find expected key"
    for pattern, wording in _REWORDED:
        if pattern.fullmatch(problem):
            return wording
    return problem


def _line(error: yaml.MarkedYAMLError) -> int:
    problem, context = error.problem_mark, error.context_mark
    if problem is not None and problem.line != 0:
        return problem.line + 1 if isinstance(error, yaml.scanner.ScannerError) else problem.line
    return context.line if context is not None else 0


def go_yaml_message(error: yaml.YAMLError, text: str) -> str:
    """``line N: problem`` (or just the problem), as go-yaml reports it."""
    if not isinstance(error, yaml.MarkedYAMLError):
        return "unknown problem parsing YAML content"
    line = _line(error)
    where = f"line {line}: " if line else ""
    return where + _problem(error, text)
