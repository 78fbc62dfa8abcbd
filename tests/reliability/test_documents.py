"""Malformed documents: `check` exits 2 naming the file and line with a clear message,
runs nothing of the broken document, still checks the others, and changes no file."""

from __future__ import annotations

import shutil

import pytest

from tests.reliability.harness import CORPUS, sha256
from tutorial_runner.cli import main
from tutorial_runner.document import read_document
from tutorial_runner.model import DocumentError

DOCUMENTS = CORPUS / "documents"

ALLOWED = ("allowed: :session:, :cluster:, :kubectl:, :vars:, :unordered:, :exact-whitespace:, "
           ":timeout:, :hide:, :skip:, :expect-drift:, :expect-error:")
TIMEOUT = "transcript: :timeout: must be a positive number of seconds (got {!r})"
UNSAFE = "tutorial-file: unsafe file name {!r}: must be relative, without '..'"

# case file -> (line, message) as `file:line: message` on stderr
CASES: dict[str, tuple[int, str]] = {
    "unknown-option.md": (3, f"transcript: unknown option :sesion: ({ALLOWED})"),
    "rst-unknown-option.rst": (4, f"transcript: unknown option :clutser: ({ALLOWED})"),
    "output-before-command.md": (
        4, "transcript: a transcript must begin with a '$ ' command, not output: 'hello'"),
    "rst-output-before-command.rst": (
        8, "transcript: a transcript must begin with a '$ ' command, not output: 'NAME   READY'"),
    "rst-bad-option-block.rst": (
        5, "transcript: a transcript must begin with a '$ ' command, not output: "
           "':session services'"),
    "timeout-zero.md": (3, TIMEOUT.format("0")),
    "timeout-negative.md": (3, TIMEOUT.format("-1")),
    "timeout-word.md": (3, TIMEOUT.format("abc")),
    "timeout-nan.md": (3, TIMEOUT.format("nan")),
    "timeout-infinite.md": (3, TIMEOUT.format("inf")),
    "yaml-option-block-bad.md": (3, TIMEOUT.format("[1, 2")),
    "file-without-name.md": (3, "tutorial-file: needs a file name"),
    "file-parent-dir.md": (3, UNSAFE.format("../x")),
    "file-nested-parent.md": (3, UNSAFE.format("conf/../../outside.yaml")),
    "rst-file-parent-dir.rst": (4, UNSAFE.format("../../etc/passwd")),
    "file-absolute.md": (3, UNSAFE.format("/etc/x")),
    "file-home.md": (3, "tutorial-file: unsafe file name '~/.bashrc'"),
    "file-name-with-space.md": (
        3, "tutorial-file: takes one file name, without spaces (got 'my file.yaml')"),
    "session-without-name.md": (3, "transcript: :session: needs a value"),
    "invalid-utf8.md": (3, "not valid UTF-8: invalid start byte"),
    "empty-transcript.md": (3, "transcript: empty transcript"),
    "commentary-only.md": (4, "transcript: a transcript of commentary only: no '$ ' command"),
    "skip-without-reason.md": (3, "transcript: :skip: needs a reason"),
    "drift-without-reason.md": (3, "transcript: :expect-drift: needs a reason"),
    "skip-and-drift.md": (3, "transcript: :skip: and :expect-drift: exclude each other"),
    "flag-with-value.md": (3, "transcript: :hide: takes no value (got 'yes')"),
    "vars-bad-token.md": (
        3, "transcript: :vars: token '<IP>=' must be TOKEN or TOKEN=DOCUMENTED_VALUE"),
    "duplicate-option.md": (4, 'duplicate option "timeout"'),
    "unterminated-fence.md": (3, "unterminated"),
}

KNOWN_BUGS: dict[str, str] = {}


def _cases():
    for name in sorted(CASES):
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[name])] if name in KNOWN_BUGS else []
        yield pytest.param(name, marks=marks, id=name)


def test_every_document_case_has_an_outcome():
    assert {p.name for p in DOCUMENTS.iterdir()} == set(CASES)
    assert len(CASES) >= 20


@pytest.fixture
def check(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TUTORIAL_RUNNER_CACHE", str(tmp_path / "cache"))

    def check(*paths):
        code = main(["check", "--sandbox", "off", "--environment", "plain",
                     *[str(p) for p in paths]])
        out, err = capsys.readouterr()
        return code, out, err
    return check


@pytest.mark.parametrize("case", list(_cases()))
def test_malformed_document_exits_2_with_file_line_and_message(case, check):
    line, message = CASES[case]
    path = DOCUMENTS / case
    before = sha256(path)
    code, out, err = check(path)
    assert code == 2, (out, err)
    assert f"{path}:{line}: " in err, err
    assert message in err, err
    assert "Traceback" not in err
    assert sha256(path) == before


@pytest.mark.parametrize("case", list(_cases()))
def test_malformed_document_is_a_document_error(case):
    line, message = CASES[case]
    with pytest.raises(DocumentError) as raised:
        read_document(DOCUMENTS / case)
    assert raised.value.line == line
    assert message in raised.value.message


def test_a_broken_document_does_not_stop_the_others(check, tmp_path):
    good = tmp_path / "good.md"
    good.write_text("# Good\n\n```{transcript}\n$ echo fine\nfine\n```\n")
    broken = tmp_path / "broken.md"
    shutil.copy(DOCUMENTS / "timeout-zero.md", broken)
    code, out, err = check(broken, good)
    assert code == 2
    assert f"{broken}:3: " in err
    assert "1 verified" in out


def test_an_unreadable_path_exits_2(check, tmp_path):
    code, out, err = check(tmp_path / "missing.md")
    assert code == 2
    assert f"{tmp_path / 'missing.md'}: cannot read" in err


def test_a_file_that_is_not_a_document_exits_2(check, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("$ echo hi\n")
    code, out, err = check(other)
    assert code == 2
    assert "not a .md or .rst document" in err


def test_pytest_collects_a_broken_document_as_one_failing_item(tmp_path):
    import subprocess
    import sys

    shutil.copy(DOCUMENTS / "timeout-zero.md", tmp_path / "broken.md")
    (tmp_path / "good.md").write_text("# Good\n\n```{transcript}\n$ echo fine\nfine\n```\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--tutorial", "--tutorial-no-cache",
         "--tutorial-environment", "plain", "--tutorial-sandbox", "off", "-q", "-rA",
         "-p", "no:cacheprovider", "broken.md", "good.md"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout
    assert "FAILED broken.md::document" in done.stdout
    assert "broken.md:3: transcript: :timeout: must be a positive number" in done.stdout
    assert "PASSED good.md::default" in done.stdout


def test_a_document_named_several_ways_runs_once(check, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    page = folder / "page.md"
    page.write_text("# Page\n\n```{transcript}\n$ echo once\nonce\n```\n")
    code, out, err = check(page, folder, folder / ".." / "docs" / "page.md")
    assert code == 0
    assert "1 verified (1 session" in out
