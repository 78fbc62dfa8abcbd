"""The directives inside Sphinx, and what becomes of their nodes at write time.

The docutils directive classes are reused unchanged, so a Sphinx build finds exactly the
:class:`Block` that :func:`tutorial_runner.document.read_document` finds (the result
cache keys agree).  Sphinx adds two things: the transcript stays out of translation, and
a ``:skip:`` or ``:expect-drift:`` reason becomes a paragraph of its own so that the
gettext catalogues translate it like any other sentence.
"""

from __future__ import annotations

from html import escape
from typing import Any

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.writers.html5 import HTML5Translator

from ..directives import (
    TranscriptDirective,
    TutorialFileDirective,
    transcript_node,
    tutorial_file_node,
)
from . import collect, live
from .badges import badge_html, words
from .lines import block_lines
from .render import console_html, file_language
from .verify import FAILING, UNVERIFIED, Verdict, block_key

REASON_CLASS = "tr-reason"


def _with_reason(result: list[nodes.Node]) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for node in result:
        out.append(node)
        if isinstance(node, (transcript_node, tutorial_file_node)):
            node["translatable"] = False
            options = node["block"].options
            reason = getattr(options, "skip", None) or getattr(options, "expect_drift", None)
            if reason:
                para = nodes.paragraph(reason, reason, classes=[REASON_CLASS])
                para.source, para.line = node.source, node.line
                out.append(para)
    return out


def _record_broken(directive: Any, result: list[nodes.Node]) -> list[nodes.Node]:
    """A block the directive refused (bad options, output before any command …) is kept
    in the environment, so that the verification counts it as a failure, not as nothing."""
    env = directive.state.document.settings.env
    for node in result:
        if isinstance(node, nodes.system_message) and node["level"] >= 3:
            collect.broken_of(env).setdefault(env.docname, []).append(
                (node.get("line") or directive.lineno, node.astext()))
    return result


class SphinxTranscriptDirective(TranscriptDirective):
    def run(self) -> list[nodes.Node]:
        return _with_reason(_record_broken(self, super().run()))


class SphinxTutorialFileDirective(TutorialFileDirective):
    def run(self) -> list[nodes.Node]:
        return _with_reason(_record_broken(self, super().run()))


class KeepTranscriptsUntranslated(SphinxTransform):
    """``gettext_additional_targets = ["literal-block"]`` marks every literal block
    translatable at priority 10; transcripts and files are not prose."""

    default_priority = 11

    def apply(self, **kwargs: Any) -> None:
        for node in self.document.findall(
            lambda n: isinstance(n, (transcript_node, tutorial_file_node))
        ):
            node["translatable"] = False


def _reason_after(node: nodes.Element) -> nodes.paragraph | None:
    parent = node.parent
    if parent is None:
        return None
    index = parent.index(node)
    if index + 1 < len(parent.children):
        sibling = parent.children[index + 1]
        if isinstance(sibling, nodes.paragraph) and REASON_CLASS in sibling["classes"]:
            return sibling
    return None


class RenderTutorialNodes(SphinxPostTransform):
    """Hidden blocks go; files become captioned code blocks; a transcript that no
    HTML visitor renders stays a console block."""

    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(
            lambda n: isinstance(n, (transcript_node, tutorial_file_node))
        )):
            reason = _reason_after(node)
            if node["block"].options.hide and not node.get("show_failure"):
                if reason is not None:
                    reason.parent.remove(reason)
                node.parent.remove(node)
            elif isinstance(node, tutorial_file_node):
                node.replace_self(_captioned_file(node, self.document))
            else:
                node["language"] = "console"


class ShowFailedSetup(SphinxPostTransform):
    """A ``:hide:`` block is not shown, unless it failed: then the page says why the
    blocks after it may fail too."""

    default_priority = 4
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        docname = self.env.path2doc(self.document["source"]) or ""
        verdicts = getattr(self.env, "tutorial_runner_verdicts", {}).get(docname, {})
        for node in self.document.findall(transcript_node):
            verdict = verdicts.get(block_key(node["block"]))
            if node["block"].options.hide and verdict is not None and verdict.status in FAILING:
                node["show_failure"] = True


class ReasonIntoBadge(SphinxPostTransform):
    """In HTML a transcript's (translated) reason is part of its badge."""

    default_priority = 6
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        for node in self.document.findall(transcript_node):
            reason = _reason_after(node)
            if reason is not None:
                node["reason"] = reason.astext()
                reason.parent.remove(reason)


def _captioned_file(node: tutorial_file_node, document: nodes.document) -> nodes.container:
    """A code block captioned with the file name; the id is what the caption's permalink
    (and numbered code blocks) need, as Sphinx gives its own captioned blocks one."""
    block = node["block"]
    literal = nodes.literal_block(block.text, block.text)
    literal["language"] = file_language(block.filename or "", block.text)
    literal["classes"].append("tr-file")
    literal.source, literal.line = node.source, node.line
    caption = nodes.caption(block.filename, "", nodes.literal(block.filename, block.filename))
    caption.source, caption.line = node.source, node.line
    wrapper = nodes.container("", caption, literal, literal_block=True,
                              classes=["literal-block-wrapper", "tr-file-wrapper"])
    wrapper.source, wrapper.line = node.source, node.line
    base = nodes.make_id(f"file-{block.filename}") or "file"
    ident, n = base, 1
    while ident in document.ids:
        n += 1
        ident = f"{base}-{n}"
    wrapper["ids"].append(ident)
    document.ids[ident] = wrapper
    return wrapper


def visit_transcript_html(self: HTML5Translator, node: transcript_node) -> None:
    block = node["block"]
    env = self.builder.env
    verdicts = getattr(env, "tutorial_runner_verdicts", {}).get(self.builder.current_docname, {})
    verdict = verdicts.get(block_key(block)) or Verdict(UNVERIFIED)
    console = ('<div class="highlight-console notranslate"><div class="highlight"><pre>'
               + console_html(block_lines(block, self.config.tutorial_runner_input_prompts))
               + "</pre></div></div>")
    if block.options.hide:      # shown only because it failed (ShowFailedSetup)
        summary = escape(words(self.config.language)["hidden"])
        console = f'<details class="tr-hidden"><summary>{summary}</summary>{console}</details>'
    place = live.attributes(self.builder, self.builder.current_docname, block)
    self.body.append(
        f'<div class="tr-transcript tr-status-{verdict.status}"{place}>'
        + console
        + badge_html(verdict, self.config.language, node.get("reason"))
        + "</div>\n"
    )
    raise nodes.SkipNode


def depart_noop(self: Any, node: nodes.Node) -> None:
    pass
