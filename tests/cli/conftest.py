import textwrap

import pytest

from tutorial_runner.cli import main


@pytest.fixture
def check(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TUTORIAL_RUNNER_CACHE", str(tmp_path / "cache"))

    def check(*args):
        code = main(["check", *map(str, args), "--environment", "plain", "--sandbox", "off"])
        out, err = capsys.readouterr()
        return code, out, err
    return check


def write(path, text):
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path
