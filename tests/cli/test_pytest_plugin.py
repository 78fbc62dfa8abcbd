import os
import subprocess
import sys

from tests.cli.conftest import write

GOOD = '''
# Good

```{transcript}
$ echo fine
fine
```

```{transcript}
:session: other
$ echo other
other
```
'''

BAD = '''
```{transcript}
$ echo live
documented
```
'''


def pytest_in(directory, *args):
    env = dict(os.environ, TUTORIAL_RUNNER_CACHE=str(directory / ".cache"))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--rootdir", str(directory),
         "--tutorial-environment", "plain", "--tutorial-sandbox", "off", *args],
        cwd=directory, capture_output=True, text=True, timeout=120, env=env)


def test_documents_are_not_collected_unless_asked(tmp_path):
    write(tmp_path / "good.md", GOOD)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    done = pytest_in(tmp_path)
    assert "no tests ran" in done.stdout


def test_one_item_per_session_with_readable_failures(tmp_path):
    write(tmp_path / "good.md", GOOD)
    write(tmp_path / "bad.md", BAD)
    write(tmp_path / "prose.md", "# Nothing to run here\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    done = pytest_in(tmp_path, "--tutorial", "-vv")
    out = done.stdout
    assert "good.md::default PASSED" in out and "good.md::other PASSED" in out
    assert "bad.md::default FAILED" in out
    assert "prose.md" not in out
    assert "bad.md:2: $ echo live" in out and "-documented" in out and "+live" in out
    assert "1 failed, 2 passed" in out


def test_ini_paths_select_documents(tmp_path):
    write(tmp_path / "docs" / "good.md" if (tmp_path / "docs").mkdir() is None else None, GOOD)
    write(tmp_path / "bad.md", BAD)
    (tmp_path / "pytest.ini").write_text("[pytest]\ntutorial_runner_paths = docs\n")
    done = pytest_in(tmp_path)
    assert "2 passed" in done.stdout and "failed" not in done.stdout


def test_broken_document_is_a_failing_item(tmp_path):
    write(tmp_path / "broken.rst", '''
        .. transcript::
           :what: 1

           $ echo x
        ''')
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    done = pytest_in(tmp_path, "--tutorial")
    assert "1 failed" in done.stdout and "broken.rst:1" in done.stdout and "unknown option" in done.stdout
