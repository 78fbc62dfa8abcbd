"""Builds sim/api/data/gotypes.json, the Go types the API server decodes JSON bodies into.

The API server decodes a request body into the kind's Go struct (sigs.k8s.io/json, a fork of
encoding/json): a value of the wrong JSON type fails the request with a message that names
the Go struct, the field's path and the Go type (`json: cannot unmarshal array into Go struct
field ServiceSpec.spec.selector of type map[string]string`). Saying the same needs every
field's Go type as Go's reflect prints it, which only the Go sources have:

    python -m sim.api.gotypes_schema --api DIR --apimachinery DIR [--source TEXT]

DIR: checkouts of github.com/kubernetes/api and github.com/kubernetes/apimachinery at the
tag of the emulated version (v0.35.2 for Kubernetes v1.35.2; Apache License 2.0). Only the
kinds the simulated cluster serves, and the types they reach, are kept.

The table: ``kinds`` maps ``apiVersion/Kind`` to a type name; ``types`` maps a type name
(``k8s.io/api/core/v1.ServiceSpec``) to ``{"go": "v1.ServiceSpec", ...}`` with one of
``struct`` (JSON name -> type reference; ``inline``: embedded structs whose fields are
promoted), ``of`` (the underlying type of a named non-struct type) or ``custom`` (a type
with its own UnmarshalJSON: ``IntOrString``, ``Quantity``, ``Time``, ``MicroTime``,
``Duration``, ``Raw``). A type reference is a Go basic type (``string``, ``int32`` …,
``interface {}``), ``*T``, ``[]T``, ``map[K]V`` or a type name.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "gotypes.json"

_PACKAGE = re.compile(r"^package (\w+)", re.M)
_IMPORT_BLOCK = re.compile(r"^import \((.*?)^\)", re.M | re.S)
_IMPORT_ONE = re.compile(r'^import (?:(\w+) )?"([^"]+)"', re.M)
_IMPORT_LINE = re.compile(r'^\s*(?:(\w+|\.)\s+)?"([^"]+)"', re.M)
_STRUCT = re.compile(r"^type (\w+) struct \{$(.*?)^\}$", re.M | re.S)
_NAMED = re.compile(r"^type (\w+) (?!struct\b|interface\b|=)([^\s/]+)", re.M)
_FIELD = re.compile(r"^\t(?:(\w+)\s+)?([^\s`]+)\s*(?:`([^`]*)`)?\s*(?://.*)?$", re.M)
_TAG = re.compile(r'(\w+):"([^"]*)"')
_UNMARSHAL = re.compile(r"^func \(\w+ \*(\w+)\) UnmarshalJSON\(", re.M)

BASIC = {"string", "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16",
         "uint32", "uint64", "float32", "float64", "byte", "rune", "any", "interface{}"}
APIMACHINERY = "k8s.io/apimachinery/"
#: types with their own UnmarshalJSON, by what they accept
CUSTOM = {"k8s.io/apimachinery/pkg/util/intstr.IntOrString": "IntOrString",
          "k8s.io/apimachinery/pkg/api/resource.Quantity": "Quantity",
          "k8s.io/apimachinery/pkg/apis/meta/v1.Time": "Time",
          "k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime": "MicroTime",
          "k8s.io/apimachinery/pkg/apis/meta/v1.Duration": "Duration",
          "k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1": "Raw",
          "k8s.io/apimachinery/pkg/runtime.RawExtension": "Raw"}


class Package:
    def __init__(self, path: str, directory: Path):
        self.path = path
        self.name = ""
        self.structs: dict[str, list[tuple[str | None, str, str, list[str]]]] = {}
        self.named: dict[str, tuple[str, list[str]]] = {}
        self.unmarshalers: set[str] = set()
        for source in sorted(directory.glob("*.go")):
            if source.name.endswith("_test.go") or ".pb." in source.name:
                continue
            self._read(source.read_text())

    def _read(self, text: str) -> None:
        text = re.sub(r"^[ \t]*/\*.*?\*/", "", text, flags=re.M | re.S)
        self.name = _PACKAGE.search(text).group(1)
        imports: dict[str, str] = {}
        for block in _IMPORT_BLOCK.findall(text):
            for alias, path in _IMPORT_LINE.findall(block):
                imports[alias or path.rsplit("/", 1)[-1]] = path
        for alias, path in _IMPORT_ONE.findall(text):
            imports[alias or path.rsplit("/", 1)[-1]] = path
        self.unmarshalers.update(_UNMARSHAL.findall(text))
        for name, body in _STRUCT.findall(text):
            fields = []
            for field in _FIELD.finditer(body):
                fname, ftype, tags = field.group(1), field.group(2), field.group(3) or ""
                if ftype.startswith("/") or (fname or "").startswith("/"):
                    continue
                fields.append((fname, ftype, tags, imports))
            self.structs[name] = fields
        for name, expr in _NAMED.findall(text):
            self.named.setdefault(name, (expr, imports))


def _qualify(expr: str, pkg: Package, imports: dict) -> str:
    """A Go type expression with every named type as ``import/path.Name``."""
    if expr.startswith("*"):
        return "*" + _qualify(expr[1:], pkg, imports)
    if expr.startswith("[]"):
        return "[]" + _qualify(expr[2:], pkg, imports)
    if expr.startswith("map["):
        depth, i = 0, 3
        for i in range(3, len(expr)):
            depth += {"[": 1, "]": -1}.get(expr[i], 0)
            if depth == 0:
                break
        key, value = expr[4:i], expr[i + 1:]
        return f"map[{_qualify(key, pkg, imports)}]{_qualify(value, pkg, imports)}"
    if expr in ("any", "interface{}"):
        return "interface {}"
    if expr == "byte":
        return "uint8"
    if expr in BASIC:
        return expr
    if "." in expr:
        alias, _, name = expr.partition(".")
        return f"{imports[alias]}.{name}"
    return f"{pkg.path}.{expr}"


def build(api: Path, apimachinery: Path, served: list[tuple[str, str, str]]) -> dict:
    packages: dict[str, Package] = {}

    def package(path: str) -> Package | None:
        if path not in packages:
            if path.startswith("k8s.io/api/"):
                directory = api / path[len("k8s.io/api/"):]
            elif path.startswith(APIMACHINERY):
                directory = apimachinery / path[len(APIMACHINERY):]
            else:
                return None
            if not directory.is_dir():
                return None
            packages[path] = Package(path, directory)
        return packages[path]

    types: dict[str, dict] = {}

    def visit(ref: str) -> None:
        while ref.startswith(("*", "[]")):
            ref = ref[1:] if ref.startswith("*") else ref[2:]
        if ref.startswith("map["):
            key, _, value = ref[4:].partition("]")
            visit(key)
            visit(value)
            return
        if "." not in ref or ref in types:
            return
        path, _, name = ref.rpartition(".")
        pkg = package(path)
        if pkg is None:
            raise SystemExit(f"no sources for {ref}")
        entry: dict = {"go": f"{pkg.name}.{name}"}
        types[ref] = entry
        if ref in CUSTOM:
            entry["custom"] = CUSTOM[ref]
            return
        if name in pkg.unmarshalers:
            entry["custom"] = "Raw"
            return
        if name in pkg.structs:
            fields: dict[str, str] = {}
            inline: list[str] = []
            for fname, ftype, tags, imports in pkg.structs[name]:
                tag = dict(_TAG.findall(tags)).get("json")
                target = _qualify(ftype, pkg, imports)
                if tag == "-":
                    continue
                json_name = (tag or "").split(",")[0]
                if not json_name and (fname is None or ",inline" in (tag or "")):
                    inline.append(target.lstrip("*"))
                    visit(target)
                    continue
                if fname is not None and not fname[0].isupper():
                    continue
                fields[json_name or fname or ""] = target
                visit(target)
            entry["struct"] = fields
            if inline:
                entry["inline"] = inline
            return
        if name in pkg.named:
            expr, imports = pkg.named[name]
            entry["of"] = _qualify(expr, pkg, imports)
            visit(entry["of"])
            return
        raise SystemExit(f"no definition of {ref}")

    kinds: dict[str, str] = {}
    for group, version, kind in served:
        path = _package_for(api, group, version)
        if path is None:
            continue
        pkg = package(path)
        if pkg is None or kind not in pkg.structs:
            continue
        ref = f"{path}.{kind}"
        visit(ref)
        kinds[f"{group}/{version}/{kind}" if group else f"{version}/{kind}"] = ref
    return {"kinds": dict(sorted(kinds.items())), "types": dict(sorted(types.items()))}


def _package_for(api: Path, group: str, version: str) -> str | None:
    """The k8s.io/api package of a group/version, by the group name its sources declare."""
    for register in sorted(api.glob(f"*/{version}/register.go")):
        found = re.search(r'GroupName = "([^"]*)"', register.read_text())
        if found and found.group(1) == group:
            return f"k8s.io/api/{register.parent.parent.name}/{version}"
    return None


def _served() -> list[tuple[str, str, str]]:
    from sim.api.registry import Registry

    return [(rt.group, rt.version, rt.kind) for rt in Registry()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.api.gotypes_schema",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", type=Path, required=True)
    parser.add_argument("--apimachinery", type=Path, required=True)
    parser.add_argument("--source", default="", help="where the checkouts came from (recorded)")
    args = parser.parse_args(argv)
    for directory in (args.api, args.apimachinery):
        if not directory.is_dir():
            parser.error(f"{directory}: no such directory")
    table = {"source": args.source, **build(args.api, args.apimachinery, _served())}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(table, separators=(",", ":")) + "\n")
    print(f"{OUT}: {len(table['kinds'])} kinds, {len(table['types'])} types", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
