"""The English catalogues of the tutorials, the guides as written and the drift page are
complete: a page whose catalogue lags behind shows Japanese in the English site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = REPO_ROOT / "docs"
CATALOGUES = REPO_ROOT / "locale" / "en" / "LC_MESSAGES"
OUR_PAGES = sorted(
    [*DOCS.glob("tutorials/*.md"), *DOCS.glob("guides/*.md"), DOCS / "drift.md"])
_ROLE = re.compile(r"\{(?:doc|ref)\}`[^`]*`")
_KANA = re.compile(r"[\u3040-\u30ff]")
# Japanese may stay where it is quoted: a book's title, a placeholder in a command.
_QUOTED = re.compile(r'"[^"]*"|`[^`]*`')


def _catalogue(page: Path) -> Path:
    return CATALOGUES / page.relative_to(DOCS).with_suffix(".po")


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _entries(page: Path) -> list:
    return [message for message in _read(_catalogue(page)) if message.id]


def _ids(pages: list[Path]) -> list[str]:
    return [page.relative_to(DOCS).as_posix() for page in pages]


@pytest.mark.parametrize("page", OUR_PAGES, ids=_ids(OUR_PAGES))
def test_every_page_has_a_catalogue(page: Path) -> None:
    assert _catalogue(page).is_file(), f"no English catalogue for {page.relative_to(DOCS)}"


@pytest.mark.parametrize("page", OUR_PAGES, ids=_ids(OUR_PAGES))
def test_no_entry_is_empty_or_fuzzy(page: Path) -> None:
    if not _catalogue(page).is_file():
        pytest.skip("covered by test_every_page_has_a_catalogue")
    entries = _entries(page)
    assert entries, "an empty catalogue translates nothing"
    untranslated = [m.id for m in entries if not m.string]
    fuzzy = [m.id for m in entries if m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated[:3]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:3]}"


@pytest.mark.parametrize("page", OUR_PAGES, ids=_ids(OUR_PAGES))
def test_translations_are_english_and_keep_cross_references(page: Path) -> None:
    if not _catalogue(page).is_file():
        pytest.skip("covered by test_every_page_has_a_catalogue")
    for message in _entries(page):
        if not message.string:
            continue
        prose = _QUOTED.sub("", message.string)
        assert not _KANA.search(prose), f"Japanese left in: {message.string[:60]}"
        assert sorted(_ROLE.findall(message.string)) == sorted(_ROLE.findall(message.id)), (
            f"cross-references differ: {message.id[:60]}")


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The message templates of the pages as they stand now (a gettext build)."""
    site = pytest.importorskip("tutorial_runner.site")
    builddir = tmp_path_factory.mktemp("build")
    if site.gettext(builddir, ["-q"]) != 0:
        pytest.fail("the gettext build failed")
    return builddir / "gettext"


@pytest.mark.parametrize("page", OUR_PAGES, ids=_ids(OUR_PAGES))
def test_catalogue_follows_the_page(page: Path, templates: Path) -> None:
    """A sentence changed on the page without a new translation would show in Japanese."""
    pot = templates / page.relative_to(DOCS).with_suffix(".pot")
    wanted = {m.id for m in _read(pot) if m.id}
    translated = {m.id for m in _entries(page) if m.string and not m.fuzzy}
    missing = sorted(wanted - translated)
    assert not missing, f"run sphinx-intl update and translate: {missing[:3]}"


def test_a_stale_catalogue_is_caught(tmp_path: Path) -> None:
    po = tmp_path / "page.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\nmsgid "古い"\nmsgstr "Old"\n\nmsgid "新しい"\nmsgstr ""\n', encoding="utf-8")
    messages = [m for m in _read(po) if m.id]
    assert [m.fuzzy for m in messages] == [True, False]
    assert [bool(m.string) for m in messages] == [True, False]
