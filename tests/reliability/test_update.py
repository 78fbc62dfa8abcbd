"""`tutorial-runner update` never leaves a document half-written: interrupted at any
point (an error in the final rename, SIGKILL while replaying, while writing the temporary
file, or just before the rename) the document is byte-identical or wholly new."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tutorial_runner import update
from tutorial_runner.cli import main

DOCUMENT = textwrap.dedent("""\
    # Drifted

    Some text that must survive byte for byte: ünïcödé, trailing spaces   
    and the end of a line with a carriage return.\r

    ```{transcript}
    $ printf 'alpha\\nbeta\\n'
    alpha
    gamma
    $ /bin/sleep 1; echo second
    first
    ```
    """)
UPDATED_LINES = ("beta", "second")


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "drift.md"
    path.write_bytes(DOCUMENT.encode("utf-8"))
    path.chmod(0o640)
    return path


def _expected_update(path: Path, tmp_path: Path) -> bytes:
    """What a completed update writes (on a copy)."""
    copy = tmp_path / "reference" / path.name
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    copy.chmod(path.stat().st_mode & 0o777)
    assert main(["update", "--sandbox", "off", "--environment", "plain", str(copy)]) == 0
    return copy.read_bytes()


def test_successful_update_rewrites_only_failing_lines(document, tmp_path, capsys):
    new = _expected_update(document, tmp_path)
    assert new == DOCUMENT.replace("gamma", "beta").replace("\nfirst\n", "\nsecond\n").encode()
    assert oct((tmp_path / "reference" / document.name).stat().st_mode & 0o777) == "0o640"


def test_failing_rename_leaves_the_original_and_no_temporary(document, tmp_path, monkeypatch):
    before = document.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(update.os, "replace", broken_replace)
    with pytest.raises(OSError):
        main(["update", "--sandbox", "off", "--environment", "plain", str(document)])
    assert document.read_bytes() == before
    assert sorted(p.name for p in document.parent.iterdir()) == [document.name]


# A child process that runs `update` with a pause at a chosen point, announced by a file.
CHILD = textwrap.dedent("""\
    import os, sys, time
    from pathlib import Path
    from tutorial_runner import update
    from tutorial_runner.cli import main

    point, flag, path = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

    def pause():
        flag.write_text("here")
        time.sleep(60)

    if point == "before-rename":
        real_replace = os.replace
        def replace(src, dst):
            pause()
            real_replace(src, dst)
        update.os.replace = replace
    elif point == "mid-write":
        real_fdopen = os.fdopen
        class HalfThenPause:
            def __init__(self, handle):
                self.handle = handle
            def __enter__(self):
                return self
            def __exit__(self, *exc):
                return self.handle.__exit__(*exc)
            def write(self, data):
                self.handle.write(data[: len(data) // 2])
                self.handle.flush()
                os.fsync(self.handle.fileno())
                pause()
                return self.handle.write(data[len(data) // 2:])
        update.os.fdopen = lambda fd, mode: HalfThenPause(real_fdopen(fd, mode))
    sys.exit(main(["update", "--sandbox", "off", "--environment", "plain", path]))
""")


@pytest.mark.parametrize("point", ["replaying", "mid-write", "before-rename"])
def test_sigkill_during_update_leaves_old_or_new_never_partial(point, document, tmp_path):
    new = _expected_update(document, tmp_path)
    old = document.read_bytes()
    flag = tmp_path / "paused"
    # The killed run cannot remove its session directory: let it make it in tmp_path.
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    child = subprocess.Popen([sys.executable, "-c", CHILD, point, str(flag), str(document)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True, env=dict(os.environ, TMPDIR=str(sessions)))
    try:
        give_up = time.monotonic() + 30
        if point == "replaying":
            time.sleep(0.8)           # inside `sleep 1` of the second step
        else:
            while not flag.exists() and time.monotonic() < give_up:
                time.sleep(0.02)
            assert flag.exists(), "the update never reached the point"
        assert child.poll() is None
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert new != old
    assert document.read_bytes() == old      # killed before the rename: the old bytes, whole
    # A kill cannot be cleaned up after: at most a hidden temporary file stays beside it,
    # which no directory search takes for a document.
    others = [p.name for p in document.parent.iterdir() if p.is_file() and p not in (document, flag)]
    assert all(n.startswith(f".{document.name}.") and n.endswith(".tmp") for n in others), others
    assert oct(document.stat().st_mode & 0o777) == "0o640"


def test_a_document_changed_during_the_replay_is_left_alone(document, tmp_path, monkeypatch):
    """An author's edit made while `update` was replaying wins over the rewrite."""
    from tutorial_runner import cli

    real_run_all = cli._run_all

    def run_then_edit(*args, **kwargs):
        results = real_run_all(*args, **kwargs)
        document.write_bytes(document.read_bytes().replace(b"gamma", b"delta"))
        return results

    monkeypatch.setattr(cli, "_run_all", run_then_edit)
    assert main(["update", "--sandbox", "off", "--environment", "plain", str(document)]) == 0
    text = document.read_text(encoding="utf-8")
    assert "alpha\ndelta\n$ /bin/sleep" in text
    assert "second" in text    # the other step's lines were untouched by the author: updated


def test_update_through_a_symlink_rewrites_the_target(document, tmp_path):
    link = tmp_path / "link" / "drift.md"
    link.parent.mkdir()
    link.symlink_to(document)
    new = _expected_update(document, tmp_path)
    assert main(["update", "--sandbox", "off", "--environment", "plain", str(link)]) == 0
    assert link.is_symlink()
    assert document.read_bytes() == new


FENCE_IN_OUTPUT = """\
# A fence in the output

```{transcript}
$ printf 'a\\n```\\nb\\n'
old
```

After.
"""


def test_update_never_breaks_the_block_structure(tmp_path, capsys):
    from tutorial_runner.document import read_document

    path = tmp_path / "fence.md"
    path.write_text(FENCE_IN_OUTPUT, encoding="utf-8")
    assert main(["update", "--sandbox", "off", "--environment", "plain", str(path)]) == 0
    blocks = read_document(path).blocks
    assert len(blocks) == 1
    assert "After." not in "\n".join(blocks[0].body)
    assert main(["check", "--no-cache", "--sandbox", "off", "--environment", "plain",
                 str(path)]) == 0
