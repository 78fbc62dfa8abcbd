"""What the live page needs from the build: each transcript's place, and each page's blocks.

The site stays static: every transcript carries ``data-tr-block`` (its index among its
session's blocks) and ``data-tr-session``; a page with transcripts carries its docname and
the live pane's words in its language (``#tr-live-config``), and its blocks go to
``_tutorial_runner/<docname>.json`` (:mod:`tutorial_runner.live.pages`).  The script
``tutorial_runner_live.js`` adds the "Try it" controls only when it finds the live
endpoint of ``tutorial-runner serve``: on any other host nothing shows.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from ..live.labels import labels
from ..live.pages import write_page
from ..model import Block
from . import collect


def block_index(app: Sphinx, docname: str, block: Block) -> int | None:
    """The block's index in its session (the session's blocks in page order)."""
    blocks = [b for b in collect.blocks_of(app.env).get(docname, [])
              if b.session_name == block.session_name]
    for index, candidate in enumerate(blocks):
        if candidate.path == block.path and candidate.line == block.line:
            return index
    return None


def page_context(app: Sphinx, pagename: str, templatename: str,
                 context: dict[str, Any], doctree: Any) -> None:
    if app.builder.format != "html" or not collect.blocks_of(app.env).get(pagename):
        return
    locale_dirs = [Path(app.srcdir, d) for d in app.config.locale_dirs]
    config = {"doc": pagename, "lang": app.config.language or "en",
              "labels": labels(app.config.language, locale_dirs)}
    text = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    context["metatags"] = (context.get("metatags", "")
                           + f'<script type="application/json" id="tr-live-config">{text}</script>\n')


def write_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    environment = app.config.tutorial_runner_environment
    kubectl = app.config.tutorial_runner_kubectl
    for docname, blocks in collect.blocks_of(app.env).items():
        if blocks:
            write_page(Path(app.outdir), docname, list(blocks), environment, kubectl)


def attributes(app: Any, docname: str, block: Block) -> str:
    index = block_index(app, docname, block)
    if index is None:
        return ""
    skip = ' data-tr-skip="1"' if block.options.skip is not None else ""
    return f' data-tr-block="{index}" data-tr-session="{escape(block.session_name)}"{skip}'
