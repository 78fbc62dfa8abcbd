"""HTML for a transcript: prompts, input, output and commentary as Pygments' classes.

Pygments' console lexer guesses prompts by pattern and takes output such as ``# comment``
or curl's ``  % Total`` for input; here each line's role comes from the directive's own
classification, and only the input text itself goes through the bash lexer.  The span
classes are Pygments' short names (``gp`` prompt, ``go`` output, ``c1`` comment) so that
every Pygments style colours them and sphinx-copybutton's ``.gp, .go`` exclusion drops
them: the copy button copies commands only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import PurePosixPath
from typing import Literal

from pygments.lexers import BashLexer, get_lexer_for_filename
from pygments.token import STANDARD_TYPES, _TokenType
from pygments.util import ClassNotFound

LineKind = Literal["input", "output", "commentary", "ellipsis"]

COMMENTARY_CLASS = "tr-commentary"


@dataclass(frozen=True)
class ConsoleLine:
    kind: LineKind
    text: str           # the input without its prompt, or the whole line
    prompt: str = ""    # input only: "$ ", "> ", "node $ ", "[ root@pod:/ ]$ " …


_bash = BashLexer(stripnl=False, ensurenl=False)


def _token_class(ttype: _TokenType) -> str:
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
    return STANDARD_TYPES[ttype]


def highlight_bash(text: str) -> str:
    """``text`` (one line of shell input) as Pygments' HTML spans, without a wrapper."""
    out = []
    for ttype, value in _bash.get_tokens(text):
        if not value:
            continue
        cls = _token_class(ttype)
        value = escape(value, quote=False)
        out.append(f'<span class="{cls}">{value}</span>' if cls else value)
    return "".join(out)


def console_html(lines: Iterable[ConsoleLine]) -> str:
    """The ``<pre>`` content of a transcript, one line per :class:`ConsoleLine`.

    Each output or commentary line keeps its newline inside its span, so that removing
    those spans (the copy button) leaves the commands one per line without blank lines.
    """
    out = ["<span></span>"]
    for line in lines:
        text = escape(line.text, quote=False)
        if line.kind == "input":
            prompt = escape(line.prompt, quote=False)
            if prompt:
                out.append(f'<span class="gp">{prompt}</span>')
            out.append(highlight_bash(line.text) + "\n")
        elif line.kind == "commentary":
            out.append(f'<span class="{COMMENTARY_CLASS}"><span class="c1">{text}</span>\n</span>')
        else:
            extra = " tr-ellipsis" if line.kind == "ellipsis" else ""
            out.append(f'<span class="go{extra}">{text}\n</span>')
    return "".join(out)


_BY_NAME = {"makefile": "make", "dockerfile": "docker", "containerfile": "docker"}
_BY_SUFFIX = {
    ".yaml": "yaml", ".yml": "yaml", ".json": "json", ".sh": "bash", ".bash": "bash",
    ".py": "python", ".mk": "make", ".ini": "ini", ".toml": "toml", ".html": "html",
    ".crt": "text", ".pem": "text", ".key": "text", ".csr": "text", ".txt": "text",
}


def file_language(filename: str, body: str = "") -> str:
    """The Pygments lexer name for a tutorial file, from its name (and, for ``.conf``,
    its content: nginx's ``server {`` blocks are the common case in these guides)."""
    name = PurePosixPath(filename).name
    lowered = name.lower()
    if lowered in _BY_NAME:
        return _BY_NAME[lowered]
    suffix = PurePosixPath(lowered).suffix
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix == ".conf":
        looks_nginx = "nginx" in lowered or any(
            line.strip().startswith(("server {", "server{", "location ", "http {", "upstream "))
            for line in body.splitlines()
        )
        return "nginx" if looks_nginx else "ini"
    try:
        return get_lexer_for_filename(name).aliases[0]
    except (ClassNotFound, IndexError):
        return "text"
