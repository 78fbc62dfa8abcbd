"""``-f``: files, directories and stdin holding YAML or JSON objects, as the builder reads
them (documents split on ``---``, ``List`` kinds expanded, extensions .json .yaml .yml)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import yaml

from sim.api.gotypes import metadata_error
from sim.kubectl import localfs
from sim.kubectl.errors import KubectlError, fail
from sim.kubectl.resolve import ResourceType, Selection, all_types

EXTENSIONS = (".json", ".yaml", ".yml")


@dataclass
class Manifest:
    obj: dict
    source: str          # the path as given ("x.yaml", "STDIN")


# Names a page's example files are published under: k8s.io/examples/X is a redirect to
# kubernetes.io/examples/X, which the website serves from content/en/examples/X.
URL_ALIASES = {"k8s.io": ("k8s.io", "kubernetes.io"), "kubernetes.io": ("kubernetes.io", "k8s.io"),
               "www.kubernetes.io": ("kubernetes.io", "k8s.io")}
URL_DIRS_VARIABLE = "SIM_URL_DIRS"


def is_url(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def url_copy(io, url: str) -> str | None:
    """The local copy that stands for ``url`` (the sandbox has no network): a file named by
    the URL's host and path (``k8s.io/examples/service/x.yaml``) in one of the folders of
    ``$SIM_URL_DIRS`` (``:``-separated), the working directory or ``$HOME``."""
    rest = url.split("://", 1)[1]
    host, _, path = rest.partition("/")
    path = path.split("?", 1)[0].split("#", 1)[0].strip("/")
    host = host.rsplit("@", 1)[-1].lower()
    if host.endswith((":80", ":443")):
        host = host.rsplit(":", 1)[0]
    if not path or ".." in path.split("/"):
        return None
    env = getattr(io, "env", None) or {}
    folders = [d for d in str(env.get(URL_DIRS_VARIABLE, "")).split(":") if d]
    folders += [io.cwd] + ([env["HOME"]] if env.get("HOME") else [])
    for folder in folders:
        for name in URL_ALIASES.get(host, (host,)):
            candidate = os.path.join(folder, name, path)
            try:
                if localfs.exists(io, candidate) and not localfs.is_dir(io, candidate):
                    return candidate
            except OSError:
                continue
    return None


def _read(ctx, path: str) -> bytes:
    if path == "-":
        return ctx.io.read_stdin()
    if is_url(path):
        copy = url_copy(ctx.io, path)
        if copy is None:
            raise fail(f'unable to read URL "{path}", server reported 404 Not Found, status code=404')
        return localfs.read(ctx.io, copy)
    return localfs.read(ctx.io, path)


def _files(ctx, paths: list[str], recursive: bool) -> list[str]:
    out: list[str] = []
    for path in paths:
        if path == "-":
            out.append(path)
            continue
        if is_url(path):
            out.append(path)
            continue
        if not localfs.exists(ctx.io, path):
            raise fail(f'the path "{path}" does not exist')
        if localfs.is_dir(ctx.io, path):
            found = _walk(ctx, path, recursive)
            if not found:
                raise fail(f"error reading [{path}]: recognized file extensions are "
                           f"[{' '.join(EXTENSIONS)}]")
            out.extend(found)
        else:
            out.append(path)
    return out


def _walk(ctx, shown: str, recursive: bool) -> list[str]:
    found = []
    for name in localfs.list_dir(ctx.io, shown):
        sub_shown = os.path.join(shown, name)
        if localfs.is_dir(ctx.io, sub_shown):
            if recursive:
                found.extend(_walk(ctx, sub_shown, recursive))
        elif name.endswith(EXTENSIONS):
            found.append(sub_shown)
    return found


def _as_sent(value: Any) -> Any:
    """A value as kubectl's JSON carries it: YAML numbers become float64 and Go writes a
    whole one without a fraction (``80.0`` is sent as ``80``)."""
    if isinstance(value, dict):
        return {k: _as_sent(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_sent(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def _documents(text: str, source: str) -> list[Any]:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return [_as_sent(json.loads(text))]
        except ValueError:
            pass
    try:
        return [_as_sent(d) for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        from sim.kubectl.yamlerrors import go_yaml_message

        raise fail(f"error parsing {source}: error converting YAML to JSON: yaml: "
                   f"{go_yaml_message(e, text)}") from None


def read(ctx, paths: list[str], recursive: bool = False) -> list[Manifest]:
    out: list[Manifest] = []
    for path in _files(ctx, paths, recursive):
        data = _read(ctx, path).decode("utf-8", "replace")
        source = "STDIN" if path == "-" else path
        for doc in _documents(data, source):
            if not isinstance(doc, dict):
                raise fail(f"error parsing {source}: json: cannot unmarshal into Go value "
                           f"of type map[string]interface {{}}")
            for obj in _flatten(doc):
                if not obj.get("kind"):
                    raise fail(f'error validating "{source}": error validating data: kind not '
                               f"set; if you choose to ignore these errors, turn validation "
                               f"off with --validate=false")
                if not obj.get("apiVersion"):
                    raise fail(f'error validating "{source}": error validating data: '
                               f"apiVersion not set; if you choose to ignore these errors, "
                               f"turn validation off with --validate=false")
                problem = metadata_error(obj)
                if problem:
                    raise fail(f'unable to decode "{source}": {problem}')
                out.append(Manifest(obj, source))
    return out


def _flatten(doc: dict) -> list[dict]:
    if str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
        items = []
        for item in doc["items"]:
            items.extend(_flatten(item))
        return items
    return [doc]


def type_for(ctx, m: Manifest) -> ResourceType:
    """The served type of a manifest, or kubectl's mapping error."""
    api_version, kind = m.obj.get("apiVersion", ""), m.obj.get("kind", "")
    group, _, version = api_version.rpartition("/")
    for t in all_types(ctx.cluster):
        if t.kind == kind and t.group == group and t.version == version:
            return t
    md = m.obj.get("metadata") or {}
    raise KubectlError(
        f'error: resource mapping not found for name: "{md.get("name", "")}" namespace: '
        f'"{md.get("namespace", "")}" from "{m.source}": no matches for kind "{kind}" in '
        f'version "{api_version}"\nensure CRDs are installed first')


def namespace_for(ctx, t: ResourceType, m: Manifest) -> str | None:
    if not t.namespaced:
        return None
    md = m.obj.get("metadata") or {}
    obj_ns = md.get("namespace")
    if obj_ns and ctx.explicit_namespace and obj_ns != ctx.namespace:
        raise fail(f'the namespace from the provided object "{obj_ns}" does not match the '
                   f'namespace "{ctx.namespace}". You must pass \'--namespace={obj_ns}\' to '
                   f"perform this operation.")
    return obj_ns or ctx.namespace


def selection_from_files(ctx, paths: list[str], recursive: bool) -> Selection:
    sel = Selection()
    seen: list[ResourceType] = []
    for m in read(ctx, paths, recursive):
        try:
            t = type_for(ctx, m)
        except KubectlError as e:
            sel.errors.append(e.text)
            continue
        if t not in seen:
            seen.append(t)
        sel.items.append((t, (m.obj.get("metadata") or {}).get("name")))
        sel.sources.append(m.source)
        sel.namespaces.append(namespace_for(ctx, t, m))
    sel.type_count = len(seen)
    return sel
