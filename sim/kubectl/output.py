"""The ``-o`` flag: which printer, and writing objects with it (printers do the format)."""

from __future__ import annotations

from dataclasses import dataclass

from sim import printers as p
from sim.kubectl.errors import KubectlError, fail

GENERIC_FORMATS = ("go-template", "go-template-file", "json", "jsonpath", "jsonpath-as-json",
                   "jsonpath-file", "kyaml", "name", "template", "templatefile", "yaml")
HUMAN_FORMATS = ("custom-columns", "custom-columns-file", "wide")


class PartialOutput(Exception):
    """A printer failed after writing part of its output, which still goes to stdout."""

    def __init__(self, text: str, error: KubectlError):
        super().__init__(error.text)
        self.text = text
        self.error = error


@dataclass(frozen=True)
class Output:
    kind: str          # "", "wide", "yaml", "json", "name", "jsonpath", "custom-columns"
    template: str = ""

    @property
    def human(self) -> bool:
        return self.kind in ("", "wide")

    @property
    def structured(self) -> bool:
        return not self.human


def parse(value: str, *, tables: bool = True) -> Output:
    """``-o`` as kubectl's PrintFlags reads it; ``tables`` when the command prints tables."""
    if value in ("", "wide") and (tables or value == ""):
        return Output(value)
    if value in ("yaml", "json", "name"):
        return Output(value)
    name, eq, template = value.partition("=")
    if name in ("jsonpath", "jsonpath-as-json", "go-template", "template") and not eq:
        raise fail("template format specified but no template given")
    if name == "jsonpath" and eq:
        return Output("jsonpath", template)
    if tables and name == "custom-columns" and eq and template:
        return Output("custom-columns", template)
    if tables and name == "custom-columns":
        raise fail("custom-columns format specified but no custom columns given")
    allowed = GENERIC_FORMATS + (HUMAN_FORMATS if tables else ())
    raise fail(f'unable to match a printer suitable for the output format "{value}", '
               f'allowed formats are: {",".join(sorted(allowed))}')


def validate_template(out: Output) -> None:
    """Parse errors surface before anything runs, as kubectl builds its printer first."""
    if out.kind == "jsonpath":
        from sim.printers.jsonpath import check_jsonpath
        try:
            check_jsonpath(out.template)
        except p.JSONPathError as e:
            raise fail(str(e)) from None


def render(out: Output, objects: list[dict], *, single: bool,
           no_headers: bool = False) -> str:
    """Structured output of ``objects``; a single named object prints as itself."""
    data = objects[0] if single and len(objects) == 1 else p.as_list(objects)
    if out.kind == "yaml":
        return p.to_yaml(data)
    if out.kind == "json":
        return p.to_json(data)
    if out.kind == "name":
        return "".join(p.to_name(o) + "\n" for o in objects)
    if out.kind == "jsonpath":
        try:
            return p.jsonpath(out.template, data)
        except p.JSONPathError as e:
            raise fail(str(e)) from None
    if out.kind == "custom-columns":
        try:
            return p.custom_columns(out.template, objects, no_headers=no_headers)
        except p.CustomColumnsError as e:
            raise PartialOutput(getattr(e, "partial", ""), fail(str(e))) from None
    raise KubectlError(f"error: unsupported output format {out.kind}")


def render_chunks(out: Output, objects: list[dict], *, single: bool,
                  no_headers: bool = False):
    """``render`` in pieces, in order: ``-o json`` is written as it is encoded."""
    if out.kind == "json":
        data = objects[0] if single and len(objects) == 1 else p.as_list(objects)
        return p.to_json_chunks(data)
    return [render(out, objects, single=single, no_headers=no_headers)]


def print_object(ctx, out: Output, obj: dict, *, typed: bool = False) -> None:
    """One object through a per-command printer: kubectl's YAML printer separates the
    second and later objects it prints with ``---``. ``typed``: an object kubectl built
    itself, whose JSON keeps Go's struct order."""
    if typed and out.kind == "json":
        from sim.kubectl.typed import typed_json
        ctx.out(typed_json(obj, indent=4) + "\n")
        return
    text = render(out, [obj], single=True)
    if out.kind == "yaml":
        count = getattr(ctx, "yaml_printed", 0)
        if count:
            text = "---\n" + text
        ctx.yaml_printed = count + 1
    ctx.out(text)
