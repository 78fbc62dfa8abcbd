"""What the live page needs of a page's transcripts, written beside the built site.

The Sphinx extension writes ``<language dir>/_tutorial_runner/<docname>.json`` for each
page with transcripts: the page's blocks as the runner reads them (the same JSON form as
the parsed-document cache) and the environment the site verifies against.  ``serve``
reads it back to start a reader's session of that page; nothing in it is run but the
page's own commands, in the sandbox.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tutorial_runner.model import Block, Document, Session
from tutorial_runner.parsed import block_data, block_from_data

FORMAT = 1
DIRECTORY = "_tutorial_runner"
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


@dataclass
class Page:
    docname: str
    blocks: list[Block]
    environment: str | None = None
    kubectl: str | None = None

    def sessions(self) -> list[Session]:
        if not self.blocks:
            return []
        return Document(self.blocks[0].path, list(self.blocks)).sessions

    def session(self, name: str) -> Session | None:
        return next((s for s in self.sessions() if s.name == name), None)


def page_json(docname: str, blocks: list[Block], environment: str | None,
              kubectl: str | None) -> str:
    return json.dumps({"format": FORMAT, "docname": docname, "environment": environment,
                       "kubectl": kubectl, "blocks": [block_data(b) for b in blocks]},
                      ensure_ascii=False)


def write_page(outdir: Path, docname: str, blocks: list[Block], environment: str | None,
               kubectl: str | None) -> Path:
    target = Path(outdir, DIRECTORY, *PurePosixPath(docname).parts).with_suffix(".json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page_json(docname, blocks, environment, kubectl), encoding="utf-8")
    return target


def safe_parts(name: str) -> list[str] | None:
    """The components of a docname or language given by a browser; None if any is odd."""
    parts = name.split("/")
    if not parts or any(not _NAME.match(part) or part in (".", "..") for part in parts):
        return None
    return parts


def read_page(site: Path, language: str, docname: str) -> Page | None:
    """The page ``docname`` of the ``language`` site under ``site``; None if there is none."""
    lang_parts, doc_parts = safe_parts(language), safe_parts(docname)
    if lang_parts is None or doc_parts is None or len(lang_parts) != 1:
        return None
    path = Path(site, language, DIRECTORY, *doc_parts).with_suffix(".json")
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored.get("format") != FORMAT:
            return None
        source = Path(stored["docname"])
        blocks = [block_from_data(source, data) for data in stored["blocks"]]
        return Page(stored["docname"], blocks, stored.get("environment"), stored.get("kubectl"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
