import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from tutorial_runner.cli import main
from tests.cli.conftest import write
from tests.deps import sandbox_reason

PASSING = '''
# Counting

Some prose.

```{transcript}
$ seq 3
1
2
3
$ printf 'a\\n  b\\n'
a
  b
```
'''

RST = '''
Title
=====

.. transcript::

   $ echo one
   one

.. tutorial-file:: data/x.txt

   hello file

.. transcript::

   $ cat data/x.txt
   hello file
'''


def test_check_passes(check, tmp_path):
    code, out, err = check(write(tmp_path / "a.md", PASSING), write(tmp_path / "b.rst", RST))
    assert code == 0, out
    assert "4 verified (2 sessions" in out
    assert "a.md:5 verified" in err  # progress, one plain line per block when not a terminal


def test_check_reports_a_mismatch_with_exit_status_1(check, tmp_path):
    doc = write(tmp_path / "a.md", PASSING.replace("3\n$ printf", "4\n$ printf"))
    code, out, _ = check(doc, "--junit", tmp_path / "junit.xml")
    assert code == 1
    assert "a.md:6: $ seq 3" in out and "-4" in out and "+3" in out
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite.get("failures") == "1"
    assert suite.find("testcase").get("classname").endswith("a.md")


def test_unparseable_document_gives_2_with_file_and_line(check, tmp_path):
    bad = write(tmp_path / "bad.rst", '''
        Title
        =====

        .. transcript::
           :no-such-option: 1

           $ echo x
        ''')
    good = write(tmp_path / "a.md", PASSING)
    code, out, err = check(good, bad)
    assert code == 2
    assert f"{bad}:4:" in err and "no-such-option" in err
    assert "1 verified" in out  # the readable document was still checked


def test_unreadable_document_gives_2(check, tmp_path):
    (tmp_path / "latin.md").write_bytes(b"caf\xe9\n")
    code, _, err = check(tmp_path / "latin.md")
    assert code == 2 and "latin.md" in err


def test_directories_are_searched_and_jobs_run_in_parallel(check, tmp_path):
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    for name in ("d0.md", "d1.rst", "sub/d2.md"):
        write(tmp_path / "docs" / name, RST if name.endswith(".rst") else PASSING)
    code, out, _ = check(tmp_path / "docs", "--jobs", "3")
    assert code == 0 and "5 verified (3 sessions" in out


def test_cache_is_used_on_the_second_run(check, tmp_path):
    doc = write(tmp_path / "a.md", PASSING)
    check(doc)
    code, out, _ = check(doc)
    assert code == 0 and "1 from cache" in out
    code, out, _ = check(doc, "--no-cache")
    assert "from cache" not in out


def test_sandbox_require_refuses_clearly_when_none_works(check, tmp_path, monkeypatch):
    from tutorial_runner import sandbox
    monkeypatch.setattr(sandbox, "detect", lambda: sandbox.Sandbox("none"))
    code = main(["check", str(write(tmp_path / "a.md", PASSING)), "--environment", "plain",
                 "--sandbox", "require"])
    assert code == 2


def test_unknown_environment(capsys, tmp_path):
    code = main(["check", str(write(tmp_path / "a.md", PASSING)), "--environment", "nope"])
    assert code == 2 and "unknown environment 'nope'" in capsys.readouterr().err


def test_update_rewrites_only_failing_expected_lines(tmp_path, capsys):
    original = (
        "# T\r\n\r\n"
        "* A list item\r\n\r\n"
        "  ```{transcript}\r\n"
        "  $ seq 3\r\n"
        "  1\r\n"
        "  9\r\n"
        "  $ echo 10.1.2.3 ok\r\n"
        "  10.0.0.7 ok\r\n"
        "  $ echo 10.1.2.3 again; echo new\r\n"
        "  10.0.0.7 old\r\n"
        "  $ echo same\r\n"
        "  same   \r\n"
        "  ```\r\n"
        "trailing text without newline"
    )
    doc = tmp_path / "u.md"
    doc.write_bytes(original.encode())
    doc.chmod(0o640)
    code = main(["update", str(doc), "--environment", "plain", "--sandbox", "off"])
    assert code == 0
    expected = original.replace("  1\r\n  9\r\n", "  1\r\n  2\r\n  3\r\n").replace(
        "  10.0.0.7 old\r\n", "  10.0.0.7 again\r\n  new\r\n")
    assert doc.read_bytes().decode() == expected
    assert oct(doc.stat().st_mode & 0o777) == "0o640"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    capsys.readouterr()
    assert main(["check", str(doc), "--environment", "plain", "--sandbox", "off", "--no-cache"]) == 0


def test_play_walks_through_with_headings(tmp_path):
    doc = write(tmp_path / "a.md", PASSING.replace("  b\n```", "  c\n```"))
    done = subprocess.run(
        [sys.executable, "-m", "tutorial_runner", "play", str(doc), "--environment", "plain",
         "--sandbox", "off"],
        input="echo reader typed this\n\n\n", capture_output=True, text=True, timeout=60)
    out = done.stdout
    assert "── Counting (a.md:5) ──" in out
    assert "reader typed this" in out
    assert "✓" in out and "-  c" in out and "+  b" in out
    assert "1 step matched, 1 differed" in out
    assert done.returncode == 1


@pytest.mark.parametrize("mode", ["off", pytest.param("require", marks=pytest.mark.skipif(
    __import__("tutorial_runner.sandbox").sandbox.detect().kind == "none", reason=sandbox_reason()))])
def test_shell_is_interactive(tmp_path, mode):
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "tutorial_runner", "shell", "--environment", "plain",
                                           "--sandbox", mode], encoding="utf-8", timeout=20)
    child.expect(r"\[tutorial ~\]# |\[tutorial ~\]\$ ")
    child.sendline("echo $((6*7))")
    child.expect("42")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.parametrize("command", [[], ["check"], ["update"], ["play"], ["shell"]])
def test_help(command):
    done = subprocess.run([sys.executable, "-m", "tutorial_runner", *command, "--help"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and "usage: tutorial-runner" in done.stdout


def test_progress_is_one_updating_line_on_a_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    doc = write(tmp_path / "a.md", PASSING + "\n" + PASSING.replace("# Counting", "## More"))
    child = pexpect.spawn(sys.executable, ["-m", "tutorial_runner", "check", str(doc), "--environment",
                                           "plain", "--sandbox", "off", "--no-cache"],
                          encoding="utf-8", timeout=30, dimensions=(24, 100))
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before
    assert child.exitstatus == 0
    assert "\r[1/2] 0 failing" in screen and "\r[2/2] 0 failing" in screen
    assert "verified\r\n" not in screen.split("2 verified")[0]  # no line per block


def test_play_can_be_left_with_q(tmp_path):
    doc = write(tmp_path / "a.md", PASSING)
    done = subprocess.run(
        [sys.executable, "-m", "tutorial_runner", "play", str(doc), "--environment", "plain",
         "--sandbox", "off"], input="q\n", capture_output=True, text=True, timeout=60)
    assert "stopped." in done.stdout and "✓" not in done.stdout
    assert done.returncode == 0


NODES = '''
```{transcript}
:session: big
$ kubectl get nodes --no-headers | wc -l
1000
$ kubectl get nodes k8s-worker-999
NAME             STATUS   ROLES    AGE   VERSION
k8s-worker-999   Ready    <none>   90d   v1.35.2
```

```{transcript}
:session: small
:cluster: default
$ kubectl get nodes --no-headers | wc -l
3
```
'''


def test_check_profile_is_the_cluster_of_sessions_that_name_none(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TUTORIAL_RUNNER_CACHE", str(tmp_path / "cache"))
    doc = write(tmp_path / "nodes.md", NODES)
    code = main(["check", str(doc), "--sandbox", "off", "--no-cache", "--profile", "large"])
    out, _ = capsys.readouterr()
    assert code == 0, out
    assert "2 verified (2 sessions" in out
    code = main(["check", str(doc), "--sandbox", "off", "--no-cache"])
    out, _ = capsys.readouterr()
    assert code == 1 and "-1000" in out and "+3" in out
