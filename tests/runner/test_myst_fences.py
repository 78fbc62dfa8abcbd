"""MyST mistakes that myst-parser itself lets through are DocumentErrors at their line."""

import pytest

from tutorial_runner.document import parse_text
from tutorial_runner.model import DocumentError


def test_an_unterminated_transcript_fence_is_named_at_its_line():
    with pytest.raises(DocumentError) as raised:
        parse_text("# T\n\nText.\n\n```{transcript}\n$ echo hi\nhi\n\nprose\n", "d.md")
    assert raised.value.line == 5
    assert "unterminated" in raised.value.message


def test_a_transcript_shown_inside_a_longer_fence_is_not_a_mistake():
    text = "````markdown\n```{transcript}\n$ echo hi\n````\n\n```{transcript}\n$ echo a\na\n```\n"
    assert len(parse_text(text, "d.md").blocks) == 1


def test_fences_inside_a_colon_fence():
    text = ":::{note}\n```{transcript}\n$ echo a\na\n```\n:::\n\n~~~\nraw ```{transcript}\n~~~\n"
    assert len(parse_text(text, "d.md").blocks) == 1
    with pytest.raises(DocumentError) as raised:
        parse_text(":::{note}\n```{transcript}\n$ echo a\n:::\n", "d.md")
    assert raised.value.line == 2


def test_an_option_given_twice():
    with pytest.raises(DocumentError) as raised:
        parse_text("```{tutorial-file} a.yaml\n:session: s\n:hide:\n:session: t\nx: 1\n```\n", "d.md")
    assert raised.value.line == 2
    assert raised.value.message == 'tutorial-file: duplicate option "session"'


def test_an_option_like_body_line_after_the_options_is_body():
    text = "```{tutorial-file} a.txt\n:session: s\n\n:session: body\n```\n"
    (block,) = parse_text(text, "d.md").blocks
    assert block.body == (":session: body",)
