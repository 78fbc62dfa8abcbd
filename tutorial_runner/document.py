"""Finding the transcript and tutorial-file blocks of ``.md`` and ``.rst`` documents.

Documents are parsed for real (myst-parser's docutils parser, docutils' reST parser) so
that blocks inside lists, admonitions or includes are found exactly where a build would
find them. Everything else in the document, including Sphinx-only directives and roles
that plain docutils does not know, is parsed and ignored without a word.
"""

from __future__ import annotations

import copy
import functools
import os
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import Document, DocumentError

if TYPE_CHECKING:
    from docutils import nodes
    from docutils.parsers import Parser

# docutils (and myst-parser for .md) are imported only when a document is really parsed:
# finding documents, or reading one from the parsed-document cache, costs neither.
_DIRECTIVE_NAMES = ("transcript", "tutorial-file")

__all__ = ["read_document", "read_documents", "parse_text", "parse_bytes", "SUFFIXES"]

SUFFIXES = (".md", ".rst")
SKIPPED_DIRS = frozenset({"_build", ".venv", "venv", "node_modules", "__pycache__"})

_registry_lock = threading.RLock()


@contextmanager
def _our_directives() -> Iterator[None]:
    """Registers the two directives only while one document is parsed.

    docutils keeps directives in a module-level dict; restoring it afterwards leaves
    other users of docutils in the same process (a Sphinx build, say) as they were.
    """
    from docutils.parsers.rst import directives as rst_directives

    from .directives import DIRECTIVES

    registry: dict[str, Any] = rst_directives._directives  # noqa: SLF001 - docutils' own table
    with _registry_lock:
        saved = {name: registry[name] for name in DIRECTIVES if name in registry}
        registry.update(DIRECTIVES)
        try:
            yield
        finally:
            for name in DIRECTIVES:
                if name in saved:
                    registry[name] = saved[name]
                else:
                    registry.pop(name, None)


def _myst_parser_class() -> type[Parser]:
    from myst_parser.parsers.docutils_ import Parser as MystParser

    return MystParser


@functools.lru_cache(maxsize=None)
def _settings(parser_class: type[Parser]) -> Any:
    """Default settings per parser, built once: docutils' option parser is slow to build."""
    from docutils.frontend import get_default_settings

    from .directives import STRICT_SETTING

    settings = get_default_settings(parser_class)
    settings.report_level = 5           # silence: unknown Sphinx directives and roles
    settings.halt_level = 5
    settings.warning_stream = False
    settings.traceback = True
    settings.myst_enable_extensions = {"colon_fence"}
    setattr(settings, STRICT_SETTING, True)
    return settings


def _parser_for(path: Path) -> Parser:
    suffix = path.suffix.lower()
    if suffix == ".md":
        return _myst_parser_class()()
    if suffix == ".rst":
        from docutils.parsers.rst import Parser as RstParser

        return RstParser()
    raise DocumentError(path, None, f"not a .md or .rst document (suffix {path.suffix!r})")


def _decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DocumentError(path, line, f"not valid UTF-8: {error.reason}") from None
    return text.removeprefix("\ufeff")


# MyST fences: ``` and ~~~ hold raw text up to a closing fence of the same character and at
# least the same length; ::: (colon_fence) holds Markdown, so fences may open inside it.
_FENCE_OPEN = re.compile(r"^(`{3,}|~{3,}|:{3,})\s*(\{[^}]*\})?")
_OPTION = re.compile(r"^:([\w-]+):")


def _myst_mistakes(text: str, path: Path) -> None:
    """What myst-parser accepts silently in our directives: an unterminated fence (it runs
    to the end of the document, prose and all) and an option given twice (the last wins)."""
    stack: list[tuple[str, int, int, str | None]] = []   # (char, length, line, directive)
    options: dict[str, int] | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.lstrip(" \t>").rstrip()
        if stack and stack[-1][0] != ":":
            char, length, _, name = stack[-1]
            if options is not None:
                option = _OPTION.match(line)
                if option and name:
                    key = option.group(1)
                    if key in options:
                        raise DocumentError(path, options["@"], f'{name}: duplicate option "{key}"')
                    options[key] = number
                    options.setdefault("@", number)
                    continue
                options = None
            if line and set(line) == {char} and len(line) >= length:
                stack.pop()
            continue
        opening = _FENCE_OPEN.match(line)
        if opening is None:
            if stack and line and set(line) == {":"} and len(line) >= stack[-1][1]:
                stack.pop()
            continue
        mark, info = opening.group(1), opening.group(2)
        if mark[0] == ":" and stack and info is None and line == mark and len(mark) >= stack[-1][1]:
            stack.pop()   # a bare ::: closes the colon fence it is in
            continue
        name = info[1:-1].strip() if info else None
        name = name if name in _DIRECTIVE_NAMES else None
        stack.append((mark[0], len(mark), number, name))
        options = {} if name else None
    for char, length, number, name in stack:
        if name:
            raise DocumentError(path, number, f"{name}: unterminated fence: no closing "
                                              f"{char * length} before the end of the document")


def parse_text(text: str, path: Path | str) -> Document:
    """The blocks of ``text``, read as the document ``path`` (its suffix picks the parser)."""
    path = Path(path)
    parser = _parser_for(path)
    if path.suffix.lower() == ".md":
        _myst_mistakes(text, path)
    from docutils.utils import new_document

    from .directives import transcript_node, tutorial_file_node

    settings = copy.copy(_settings(type(parser)))
    doctree = new_document(str(path), settings)
    complaints: list["nodes.system_message"] = []
    doctree.reporter.attach_observer(
        lambda message: complaints.append(message) if _about_our_directives(message) else None
    )
    with _our_directives():
        try:
            parser.parse(text, doctree)
        except DocumentError:
            raise
        except Exception as error:  # a parser's own failure still names the file
            raise DocumentError(path, None, f"cannot parse: {error}") from error
    if complaints:
        first = complaints[0]
        message = first.children[0].astext() if first.children else first.astext()
        raise DocumentError(path, first.get("line"), message.replace("\n", " "))
    found = doctree.findall(
        lambda node: isinstance(node, (transcript_node, tutorial_file_node))
    )
    return Document(path, [node["block"] for node in found])


def _about_our_directives(message: nodes.system_message) -> bool:
    """A complaint of the parser itself about one of our directives (an option block it
    cannot read, say), which would otherwise drop the block without a word."""
    if message["level"] < 2:
        return False
    text = message.astext()
    if "not recommended" in text:
        return False
    return any(f'"{name}"' in text or f"'{name}'" in text for name in _DIRECTIVE_NAMES)


def read_document(path: Path | str) -> Document:
    """The blocks of one ``.md`` or ``.rst`` file, in document order."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DocumentError(path, None, f"cannot read: {error.strerror or error}") from None
    return parse_bytes(path, data)


def parse_bytes(path: Path, data: bytes) -> Document:
    """The blocks of a document's bytes (UTF-8, a BOM allowed)."""
    return parse_text(_decode(path, data), path)


def iter_document_paths(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Files as given; directories expanded to their documents, sorted, skipping build
    output, virtual environments and hidden directories."""
    for given in paths:
        path = Path(given)
        if not path.is_dir():
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
            for name in sorted(files):
                if name.endswith(SUFFIXES) and not name.startswith("."):
                    yield Path(root) / name


def read_documents(paths: Iterable[Path | str]) -> list[Document]:
    """Each document once, in the order first named (a file inside a named directory too)."""
    seen: set[Path] = set()
    documents = []
    for path in iter_document_paths(paths):
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            documents.append(read_document(path))
    return documents
