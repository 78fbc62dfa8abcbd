"""The state line under each transcript: verified, known drift, skipped, failed.

Its words come in the page's language (Japanese or English; English for any other),
and a reason written in the document arrives already translated by Sphinx's catalogues.
"""

from __future__ import annotations

from html import escape

from .render import console_html
from .verify import FAILING, UNVERIFIED, Verdict

WORDS: dict[str, dict[str, str]] = {
    "ja": {
        "verified": "検証済み",
        "against": "検証環境",
        "drift": "既知の差異",
        "live": "現在のクラスターの出力",
        "skipped": "実行しない",
        "failed": "検証失敗",
        "unexpected-match": "差異の記載があるのに一致",
        "error": "実行エラー",
        "unverified": "未検証",
        "diff": "期待した出力との差分",
        "hidden": "ページに表示しない準備の手順（失敗したため表示しています）",
    },
    "en": {
        "verified": "Verified",
        "against": "against",
        "drift": "Known drift",
        "live": "What the cluster prints today",
        "skipped": "Not run",
        "failed": "Verification failed",
        "unexpected-match": "Matches although drift is announced",
        "error": "Run error",
        "unverified": "Not verified",
        "diff": "Expected against live output",
        "hidden": "A set-up step this page does not show (shown because it failed)",
    },
}

ICONS = {"verified": "✓", "drift": "≠", "skipped": "–", UNVERIFIED: "?"}


def words(language: str | None) -> dict[str, str]:
    return WORDS.get((language or "en").split("_")[0].split("-")[0], WORDS["en"])


def badge_html(verdict: Verdict, language: str | None, reason: str | None = None) -> str:
    """``reason``: the block's own (translated) reason, preferred to the engine's copy."""
    w = words(language)
    status = verdict.status if verdict.status in w else "error"
    css = "failed" if status in FAILING else status
    icon = ICONS.get(status, "✗")
    label = escape(w[status])
    text = reason or verdict.message
    parts = [f'<span class="tr-badge-icon" aria-hidden="true">{icon}</span>',
             f'<span class="tr-badge-label">{label}</span>']
    if status == "verified" and verdict.against:
        parts.append(f'<span class="tr-badge-detail">{escape(w["against"])}: '
                     f'{escape(verdict.against)}</span>')
    elif text:
        parts.append(f'<span class="tr-badge-detail">{escape(text)}</span>')
    html = [f'<div class="tr-badge tr-badge-{css}" data-status="{escape(status)}">',
            *parts, "</div>"]
    if status == "drift" and verdict.live:
        html.append(
            f'<details class="tr-live"><summary>{escape(w["live"])}'
            + (f' ({escape(verdict.against)})' if verdict.against else "")
            + '</summary><pre class="tr-live-output">'
            + console_html(verdict.live)
            + "</pre></details>"
        )
    if status in FAILING and verdict.diff:
        html.append(
            f'<details class="tr-diff" open><summary>{escape(w["diff"])}</summary>'
            f'<pre class="tr-diff-output">{_diff_html(verdict.diff)}</pre></details>'
        )
    return "".join(html)


def _diff_html(lines: tuple[str, ...]) -> str:
    out = []
    for line in lines:
        cls = {"+": "gi", "-": "gd", "@": "gu"}.get(line[:1], "")
        text = escape(line, quote=False)
        out.append(f'<span class="{cls}">{text}</span>\n' if cls else text + "\n")
    return "".join(out)
