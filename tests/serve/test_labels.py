"""The live pane's words in both languages, from gettext catalogues."""
from __future__ import annotations

from babel.messages.pofile import read_po

from tutorial_runner.live.labels import HERE, MESSAGES, labels


def test_english_is_the_message_ids_and_japanese_translates_every_one():
    assert labels("en") == MESSAGES
    ja = labels("ja")
    untranslated = [key for key, text in ja.items() if text == MESSAGES[key]]
    assert untranslated == []
    assert ja["try"] == "試してみる"


def test_the_catalogue_holds_no_message_the_pane_does_not_use():
    with (HERE / "ja" / "LC_MESSAGES" / "tutorial_runner.po").open("rb") as handle:
        catalog = read_po(handle)
    assert {m.id for m in catalog if m.id} == set(MESSAGES.values())


def test_a_site_s_own_catalogue_goes_first(tmp_path):
    po = tmp_path / "ja" / "LC_MESSAGES" / "tutorial_runner.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Try it"\nmsgstr "やってみる"\n', encoding="utf-8")
    ja = labels("ja_JP", [tmp_path])
    assert ja["try"] == "やってみる"
    assert ja["reset"] == "リセット"
