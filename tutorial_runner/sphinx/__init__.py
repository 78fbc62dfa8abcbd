"""The Sphinx extension: ``extensions = ["tutorial_runner"]`` (or ``"tutorial_runner.sphinx"``).

- the ``transcript`` and ``tutorial-file`` directives, rendered as console blocks with
  prompts marked from the directive and a copy button that copies commands only;
- per transcript a badge from the verification results (verified, known drift, skipped,
  failed), taken from the result cache and replayed only where missing;
- the ``tutorial`` builder behind ``make doctest``;
- a language switch to the same page in the site's other language;
- what the live page of ``tutorial-runner serve`` needs (:mod:`.live`): each transcript's
  place, each page's blocks, and a script that offers "Try it" only where ``serve`` answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from .. import __version__
from ..directives import transcript_node, tutorial_file_node
from . import collect, language, live
from .builder import TutorialBuilder
from .typography import JoinJapaneseLines
from .nodes import (
    KeepTranscriptsUntranslated,
    ReasonIntoBadge,
    ShowFailedSetup,
    RenderTutorialNodes,
    SphinxTranscriptDirective,
    SphinxTutorialFileDirective,
    depart_noop,
    visit_transcript_html,
)

HERE = Path(__file__).parent
COPY_EXCLUDE = (".linenos", ".gp", ".go", ".tr-commentary")


def _configure(app: Sphinx, config: Config) -> None:
    """Runs before sphinx-copybutton reads its settings (priority 400 < 500)."""
    present = [s.strip() for s in (config.copybutton_exclude or "").split(",") if s.strip()]
    config.copybutton_exclude = ", ".join(dict.fromkeys([*present, *COPY_EXCLUDE]))
    config.templates_path = [*config.templates_path, str(HERE / "templates")]
    titles: dict[str, str] = config.tutorial_runner_titles
    if config.language in titles:
        config.html_title = titles[config.language]


def _static(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.config.html_static_path.append(str(HERE / "static"))


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx_copybutton")
    app.add_config_value("tutorial_runner_environment", None, "env", types=(str, type(None)))
    app.add_config_value("tutorial_runner_verify_html", True, "env", types=(bool,))
    app.add_config_value("tutorial_runner_sandbox", "auto", "env", types=(str,))
    # the sessions' kubectl when a document does not choose (None: the environment's own)
    app.add_config_value("tutorial_runner_kubectl", None, "env", types=(str, type(None)))
    app.add_config_value("tutorial_runner_cache_dir", ".tutorial-cache", "env", types=(str,))
    app.add_config_value("tutorial_runner_report_dir", None, "env", types=(str, type(None)))
    app.add_config_value("tutorial_runner_languages", {}, "html", types=(dict,))
    app.add_config_value("tutorial_runner_language_root", "..", "html", types=(str,))
    app.add_config_value("tutorial_runner_titles", {}, "html", types=(dict,))
    # Prompts, besides "$ ", at which the environment takes input (rendered as prompts).
    app.add_config_value("tutorial_runner_input_prompts", [], "env", types=(list, tuple))

    app.add_directive("transcript", SphinxTranscriptDirective)
    app.add_directive("tutorial-file", SphinxTutorialFileDirective)
    app.add_node(transcript_node, override=True, html=(visit_transcript_html, depart_noop))
    app.add_transform(KeepTranscriptsUntranslated)
    app.add_post_transform(ShowFailedSetup)
    app.add_post_transform(RenderTutorialNodes)
    app.add_post_transform(ReasonIntoBadge)
    app.add_post_transform(JoinJapaneseLines)
    app.add_builder(TutorialBuilder)
    app.add_css_file("tutorial_runner.css")
    app.add_js_file("tutorial_runner_live.js", loading_method="defer")

    app.connect("config-inited", _configure, priority=400)
    app.connect("builder-inited", _static)
    app.connect("env-before-read-docs", collect.init_env)
    app.connect("doctree-read", collect.doctree_read)
    app.connect("env-purge-doc", collect.purge_doc)
    app.connect("env-merge-info", collect.merge_info)
    app.connect("env-updated", collect.refresh_verdicts)
    app.connect("html-page-context", language.page_context)
    app.connect("html-page-context", live.page_context)
    app.connect("build-finished", live.write_pages)
    app.connect("build-finished", TutorialBuilder.set_status)

    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }


__all__ = ["setup", "transcript_node", "tutorial_file_node"]
