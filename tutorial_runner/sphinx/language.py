"""A switch to the same page in the site's other languages.

Each language is built into a sibling directory (``_build/html/ja``, ``_build/html/en``)
from the same sources, so every page exists under the same name in each: the link is
the page's own path, one directory up and into the other language.
"""

from __future__ import annotations

from html import escape
from typing import Any

from sphinx.application import Sphinx


def language_links(languages: dict[str, str], current: str, pagename: str,
                   suffix: str, root: str = "..") -> list[dict[str, Any]]:
    up = "../" * pagename.count("/")
    return [
        {
            "code": code,
            "label": label,
            "url": f"{up}{root}/{code}/{pagename}{suffix}",
            "current": code == current,
        }
        for code, label in languages.items()
    ]


def page_context(app: Sphinx, pagename: str, templatename: str,
                 context: dict[str, Any], doctree: Any) -> None:
    languages: dict[str, str] = app.config.tutorial_runner_languages
    current = app.config.language or "en"
    if not languages or current not in languages:
        context["tr_languages"] = []
        return
    links = language_links(languages, current, pagename, app.builder.link_suffix,
                           app.config.tutorial_runner_language_root)
    context["tr_languages"] = links
    alternates = "".join(
        f'<link rel="alternate" hreflang="{escape(link["code"])}" href="{escape(link["url"])}" />\n'
        for link in links if not link["current"]
    )
    context["metatags"] = context.get("metatags", "") + alternates
