"""The live pane's words, in the page's language, from gettext catalogues.

The message ids are English; ``locale/<language>/LC_MESSAGES/tutorial_runner.po`` beside
this module translates them (Japanese ships with the runner), and a site's own
``locale_dirs`` may hold a ``tutorial_runner.po`` of the same domain that goes first: the
same catalogues, and the same ``make update-po`` workflow, as the site's pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from babel.messages.pofile import read_po

DOMAIN = "tutorial_runner"
HERE = Path(__file__).parent / "locale"

# key -> message id
MESSAGES: dict[str, str] = {
    "try": "Try it",
    "rest": "Run the rest",
    "reset": "Reset",
    "close": "Close",
    "terminal": "Terminal",
    "starting": "Starting a fresh cluster…",
    "ready": "Ready: click a command in the page, or type your own.",
    "busy": "All live sessions are busy: try again in a minute.",
    "ended": "The session has ended.",
    "ended-idle": "The session ended: no input for too long.",
    "ended-time": "The session reached its time limit.",
    "ended-exited": "The shell has exited.",
    "failed-start": "The session could not start.",
    "lost": "The connection to the server was lost.",
    "click": "Click to run this command in the terminal",
    "ok": "Matches the page",
    "failed": "Differs from the page",
    "drift": "Differs, as the page announces",
    "running": "Running…",
    "bound": "Live values",
    "diff": "Expected (page) against live output",
    "reader": "Your own command (not checked)",
}


def _catalogue(path: Path) -> dict[str, str]:
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle)
    except (OSError, ValueError):
        return {}
    return {str(m.id): str(m.string) for m in catalog
            if m.id and m.string and not m.fuzzy and isinstance(m.id, str)}


def _short(language: str | None) -> str:
    return (language or "en").replace("-", "_").split("_")[0]


def labels(language: str | None, locale_dirs: Iterable[Path | str] = ()) -> dict[str, str]:
    """key -> text in ``language``: the site's catalogues first, then the runner's own."""
    translated: dict[str, str] = {}
    for base in [*map(Path, locale_dirs), HERE]:
        for code in dict.fromkeys([language or "en", _short(language)]):
            for message_id, text in _catalogue(base / code / "LC_MESSAGES" / f"{DOMAIN}.po").items():
                translated.setdefault(message_id, text)
    return {key: translated.get(message_id, message_id) for key, message_id in MESSAGES.items()}
