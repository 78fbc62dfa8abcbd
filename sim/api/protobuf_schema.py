"""Builds sim/api/data/protobuf.json, the field table the API server decodes protobuf with.

The real kubectl's typed commands (`create deployment`, `create secret`, …) send their
objects as `application/vnd.kubernetes.protobuf`. Decoding that needs, for every message,
each field's number, its JSON name and what it holds; the protobuf definitions alone do not
say the JSON name (`uID` is `uid`) nor whether a Go field is a pointer (a non-pointer's zero
value is always on the wire and means "unset", a pointer's zero means zero), so the table joins
two sources of the Kubernetes API: each package's `generated.proto` (numbers, wire types,
message types) and its Go types (the `json:` and `protobuf:` tags, `*`).

    python -m sim.api.protobuf_schema --api DIR --apimachinery DIR

DIR: checkouts of github.com/kubernetes/api and github.com/kubernetes/apimachinery (Apache
License 2.0; the table records their commits). Only the versions the simulated cluster
serves, and what they reference, are kept.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "protobuf.json"

_MESSAGE = re.compile(r"^message (\w+) \{$(.*?)^\}$", re.M | re.S)
_FIELD = re.compile(r"^\s+(optional|repeated)?\s*(map<\s*[\w.]+\s*,\s*[\w.]+\s*>|[\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;",
                    re.M)
_PACKAGE = re.compile(r"^package ([\w.]+);", re.M)
_GO_STRUCT = re.compile(r"^type (\w+) struct \{$(.*?)^\}$", re.M | re.S)
_GO_NAMED = re.compile(r"^type (\w+) (\[\]|map\[)", re.M)
_GO_FIELD = re.compile(r"^\t(?:(\w+)\s+)?(\S+)\s+`([^`]*)`", re.M)
_TAG = re.compile(r'(\w+):"([^"]*)"')
SCALARS = {"string", "bytes", "bool", "int32", "int64", "uint32", "uint64", "sint32", "sint64",
           "double", "float", "fixed32", "fixed64", "sfixed32", "sfixed64"}


def _proto_type(name: str, package: str) -> str:
    if name in SCALARS:
        return name
    return name[1:] if name.startswith(".") else f"{package}.{name}"


def _go_fields(sources: list[str]) -> tuple[dict[str, dict[str, dict]], set[str]]:
    """{struct: {proto name: {"json": name, "inline": bool, "pointer": bool}}}, named slices."""
    structs: dict[str, dict[str, dict]] = {}
    slices: set[str] = set()
    for text in sources:
        for match in _GO_NAMED.finditer(text):
            if match.group(2) == "[]":
                slices.add(match.group(1))
        for match in _GO_STRUCT.finditer(text):
            fields = structs.setdefault(match.group(1), {})
            for field in _GO_FIELD.finditer(match.group(2)):
                go_type, tags = field.group(2), dict(_TAG.findall(field.group(3)))
                proto = dict(part.split("=", 1) for part in tags.get("protobuf", "").split(",")
                             if "=" in part)
                if "name" not in proto:
                    continue
                json_tag = tags.get("json", "").split(",")
                # an embedded struct with no JSON name is inlined, as encoding/json does
                inline = not json_tag[0] and (field.group(1) is None or "inline" in json_tag[1:])
                fields[proto["name"]] = {"json": json_tag[0] or proto["name"], "inline": inline,
                                         "pointer": go_type.startswith("*")}
    return structs, slices


def _package_dirs(api: Path, apimachinery: Path) -> list[tuple[Path, str | None]]:
    dirs: list[tuple[Path, str | None]] = []
    for proto in sorted(api.glob("*/*/generated.proto")):
        group = None
        for name in ("register.go", "doc.go"):
            path = proto.parent / name
            if path.exists():
                found = re.search(r'GroupName = "([^"]*)"|\+groupName=(\S*)', path.read_text())
                if found:
                    group = found.group(1) if found.group(1) is not None else found.group(2)
                    break
        dirs.append((proto.parent, group))
    for sub in ("pkg/apis/meta/v1", "pkg/runtime", "pkg/util/intstr", "pkg/api/resource"):
        dirs.append((apimachinery / sub, None))
    return dirs


def build(api: Path, apimachinery: Path, served: set[tuple[str, str]]) -> dict:
    messages: dict[str, dict[str, list]] = {}
    lists: list[str] = []
    packages: dict[str, str] = {}
    for directory, group in _package_dirs(api, apimachinery):
        proto_text = (directory / "generated.proto").read_text()
        package = _PACKAGE.search(proto_text).group(1)
        version = directory.name
        if group is not None:
            packages[f"{group}/{version}" if group else version] = package
        go_sources = [p.read_text() for p in sorted(directory.glob("*.go"))
                      if not p.name.endswith("_test.go")]
        structs, slices = _go_fields(go_sources)
        for match in _MESSAGE.finditer(proto_text):
            name, body = match.group(1), match.group(2)
            full = f"{package}.{name}"
            go = structs.get(name, {})
            fields: dict[str, list] = {}
            for label, ptype, pname, number in _FIELD.findall(body):
                info = go.get(pname, {"json": pname, "inline": False, "pointer": False})
                flags = ("r" if label == "repeated" else "") + ("p" if info["pointer"] else "") \
                    + ("i" if info["inline"] else "")
                if ptype.startswith("map<"):
                    key, value = (t.strip() for t in ptype[4:-1].split(","))
                    kind = ["map", _proto_type(key, package), _proto_type(value, package)]
                else:
                    kind = _proto_type(ptype, package)
                fields[number] = [info["json"], kind, flags]
            messages[full] = fields
            if name in slices and list(fields.values())[:1] and fields.get("1", [""])[0] == "items":
                lists.append(full)
    keep_packages = {packages[gv] for gv in (f"{g}/{v}" if g else v for g, v in served)
                     if gv in packages}
    roots = [m for m in messages if m.rsplit(".", 1)[0] in keep_packages]
    roots += [m for m in messages if m.startswith(("k8s.io.apimachinery.pkg.apis.meta.v1.",
                                                   "k8s.io.apimachinery.pkg.runtime."))]
    kept: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in kept or name not in messages:
            continue
        kept.add(name)
        for _, kind, _ in messages[name].values():
            for ref in (kind[1:] if isinstance(kind, list) else [kind]):
                if ref not in SCALARS:
                    stack.append(ref)
    return {"packages": {gv: p for gv, p in sorted(packages.items()) if p in keep_packages},
            "lists": sorted(set(lists) & kept),
            "messages": {name: messages[name] for name in sorted(kept)}}


def _served() -> set[tuple[str, str]]:
    from sim.api.registry import Registry

    return {(rt.group, rt.version) for rt in Registry()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.api.protobuf_schema",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", type=Path, required=True)
    parser.add_argument("--apimachinery", type=Path, required=True)
    parser.add_argument("--source", default="", help="where the checkouts came from (recorded)")
    args = parser.parse_args(argv)
    for directory in (args.api, args.apimachinery):
        if not directory.is_dir():
            parser.error(f"{directory}: no such directory")
    table = build(args.api, args.apimachinery, _served())
    table = {"source": args.source, **table}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(table, separators=(",", ":"), sort_keys=False) + "\n")
    print(f"{OUT}: {len(table['messages'])} messages, {len(table['packages'])} group versions",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
