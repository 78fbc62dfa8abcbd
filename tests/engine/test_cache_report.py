import json
import xml.etree.ElementTree as ET

from tutorial_runner.cache import Cache, default_directory
from tutorial_runner.report import junit_xml, text_report
from tests.engine.conftest import FakeEnvironment

DOC = '''
```{transcript}
$ echo one
one
$ echo two
three
```

```{transcript}
:skip: not here
$ echo x
```
'''


def test_second_run_comes_from_the_cache_with_lines_moved(run, tmp_path):
    cache = Cache(tmp_path / "cache")
    env = FakeEnvironment()
    [first] = run(DOC, environment=env, cache=cache)
    assert not first.cached and len(env.prepared) == 1
    [again] = run("\nSome text above.\n\n" + DOC, environment=env, cache=cache)
    assert again.cached and len(env.prepared) == 1
    assert [b.status for b in again.blocks] == [b.status for b in first.blocks]
    assert again.blocks[0].steps[1].line == first.blocks[0].steps[1].line + 3
    assert again.blocks[0].steps[1].diff == first.blocks[0].steps[1].diff


def test_cache_key_changes_with_body_options_and_environment_version(run, tmp_path):
    cache = Cache(tmp_path / "cache")
    env = FakeEnvironment()
    run(DOC, environment=env, cache=cache)
    run(DOC.replace("three", "two"), environment=env, cache=cache)
    run(DOC.replace(":skip: not here", ":skip: elsewhere"), environment=env, cache=cache)
    run(DOC, environment=FakeEnvironment(version="2"), cache=cache)
    assert len(env.prepared) == 3
    files = list((tmp_path / "cache").rglob("*.json"))
    assert len(files) == 4 and all(json.loads(f.read_text())["blocks"] for f in files)


def test_errors_are_not_cached(run, tmp_path):
    cache = Cache(tmp_path / "cache")
    broken = FakeEnvironment(start=["false"])
    run(DOC, environment=broken, cache=cache)
    assert not list((tmp_path / "cache").rglob("*.json"))


def test_cache_directory_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TUTORIAL_RUNNER_CACHE", str(tmp_path / "elsewhere"))
    assert default_directory(tmp_path) == tmp_path / "elsewhere"
    monkeypatch.delenv("TUTORIAL_RUNNER_CACHE")
    assert default_directory(tmp_path) == tmp_path / ".tutorial-cache"


def test_text_report_names_file_line_command_diff_and_bindings(run, tmp_path):
    results = run('''
        ```{transcript}
        $ echo 10.9.9.9
        10.0.0.1
        $ echo 10.0.0.1 x
        10.0.0.1 y
        ```
        ''')
    text = text_report(results, root=tmp_path)
    assert "FAILED doc.md:1" in text
    assert "doc.md:4: $ echo 10.0.0.1 x" in text
    assert "typed: echo 10.9.9.9 x" in text
    assert "-10.0.0.1 y" in text and "+10.9.9.9 x" in text
    assert "bindings: 10.0.0.1 → 10.9.9.9" in text
    assert text.splitlines()[-1].startswith("1 failed (1 session")


def test_junit_has_one_case_per_block(run, tmp_path):
    results = run(DOC)
    root = ET.fromstring(junit_xml(results, root=tmp_path))
    suite = root.find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "1" and suite.get("skipped") == "1"
    cases = suite.findall("testcase")
    assert [c.get("classname") for c in cases] == ["doc.md", "doc.md"]
    assert cases[0].find("failure") is not None and "echo two" in cases[0].find("failure").text
    assert cases[1].find("skipped").get("message") == "not here"
