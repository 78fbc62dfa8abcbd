"""The site's builds behind ``make html``, ``make doctest``, ``make gettext`` and ``make update-po``.

    python -m tutorial_runner.site html BUILDDIR [SPHINX-OPTION…]

- ``html``: each language into BUILDDIR/html/LANG with its own doctrees
  (BUILDDIR/doctrees/LANG), Japanese first so that its verification fills the result
  cache and English finds every result there; then BUILDDIR/html/index.html, which sends
  a reader to the language of their browser.
- ``doctest``: the ``tutorial`` builder over the Japanese sources (transcripts are the same
  in every language): BUILDDIR/doctest/report.txt and junit.xml; fails on a mismatch.
- ``gettext``: the message templates, BUILDDIR/gettext/*.pot.
- ``update-po``: ``gettext``, then the English catalogues in locale/en/LC_MESSAGES.

The builds run in this one process, one after the other: Sphinx's start-up is paid once.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs"
LOCALE = ROOT / "locale"
SOURCE_LANGUAGE = "ja"
LANGUAGES = {"ja": "日本語", "en": "English"}


def sphinx_build(builder: str, outdir: Path, doctrees: Path, language: str,
                 options: Sequence[str] = (), source: Path = SOURCE, confdir: Path = ROOT) -> int:
    from sphinx import locale
    from sphinx.cmd.build import build_main

    # Sphinx keeps its message catalogues per process: the previous build's language
    # would otherwise show in this one's theme strings.
    locale.translators.clear()
    argv = ["-b", builder, "-c", str(confdir), "-d", str(doctrees),
            "-D", f"language={language}", *options, str(source), str(outdir)]
    return build_main(argv)


def html(builddir: Path, options: Sequence[str] = (), source: Path = SOURCE,
         confdir: Path = ROOT, languages: dict[str, str] = LANGUAGES) -> int:
    status = 0
    for language in languages:
        status = sphinx_build("html", builddir / "html" / language,
                              builddir / "doctrees" / language, language, options,
                              source, confdir) or status
    write_root_index(builddir / "html" / "index.html", languages)
    return status


def doctest(builddir: Path, options: Sequence[str] = ()) -> int:
    return sphinx_build("tutorial", builddir / "doctest", builddir / "doctrees" / SOURCE_LANGUAGE,
                        SOURCE_LANGUAGE, options)


def gettext(builddir: Path, options: Sequence[str] = ()) -> int:
    return sphinx_build("gettext", builddir / "gettext", builddir / "doctrees" / "gettext",
                        SOURCE_LANGUAGE, options)


def update_po(builddir: Path, options: Sequence[str] = ()) -> int:
    status = gettext(builddir, options)
    if status:
        return status
    from sphinx_intl.commands import main as sphinx_intl

    languages = [code for code in LANGUAGES if code != SOURCE_LANGUAGE]
    args = ["update", "-p", str(builddir / "gettext"), "-d", str(LOCALE)]
    for code in languages:
        args += ["-l", code]
    try:
        sphinx_intl(args, standalone_mode=False)
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


def root_index(languages: dict[str, str] = LANGUAGES, default: str = "en") -> str:
    """A page that opens the site in the reader's language, with a link to each."""
    links = "\n".join(
        f'    <li><a href="{code}/index.html" hreflang="{code}" lang="{code}">{escape(label)}</a></li>'
        for code, label in languages.items()
    )
    codes = ", ".join(f'"{code}"' for code in languages)
    return f"""<!DOCTYPE html>
<html lang="{default}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Kubernetes tutorials / Kubernetes チュートリアル</title>
  <script>
    (function () {{
      var available = [{codes}];
      var wanted = (navigator.languages || [navigator.language || ""]);
      for (var i = 0; i < wanted.length; i++) {{
        var code = String(wanted[i]).toLowerCase().split("-")[0];
        if (available.indexOf(code) >= 0) {{ location.replace(code + "/index.html"); return; }}
      }}
      location.replace("{default}/index.html");
    }})();
  </script>
  <style>
    body {{ font-family: system-ui, sans-serif; margin: 4em auto; max-width: 30em; line-height: 1.6; }}
    li {{ margin: 0.3em 0; }}
  </style>
</head>
<body>
  <h1>Kubernetes tutorials</h1>
  <p>Choose a language / 言語を選んでください:</p>
  <ul>
{links}
  </ul>
</body>
</html>
"""


def write_root_index(path: Path, languages: dict[str, str] = LANGUAGES) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(root_index(languages), encoding="utf-8")


COMMANDS = {"html": html, "doctest": doctest, "gettext": gettext, "update-po": update_po}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2 or args[0] not in COMMANDS:
        print(f"usage: python -m tutorial_runner.site {{{','.join(COMMANDS)}}} BUILDDIR "
              "[SPHINX-OPTION…]", file=sys.stderr)
        return 2
    return COMMANDS[args[0]](Path(args[1]), args[2:])


if __name__ == "__main__":
    sys.exit(main())
