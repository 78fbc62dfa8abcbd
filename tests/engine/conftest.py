import sys
import textwrap
from pathlib import Path

import pytest

from tutorial_runner.document import parse_text
from tutorial_runner.engine import run_session
from tutorial_runner.environment import PlainEnvironment, SessionEnvironment


class FakeEnvironment:
    """An environment with an input prompt and profiles; `prepare` fails for unknown ones."""

    name = "fake"

    def __init__(self, start=None, version="1"):
        self.start = start
        self._version = version
        self.prepared = []

    def version(self):
        return self._version

    def prepare(self, workdir, statedir, profile):
        if profile not in (None, "default", "small"):
            raise ValueError(f"unknown profile {profile!r}")
        self.prepared.append(profile)
        return SessionEnvironment(env={"PROFILE": profile or "default"},
                                  start=self.start,
                                  input_prompts={"node $ ": ["sh", "-c"]})


def md(text):
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def run(tmp_path):
    def run(text, environment=None, suffix=".md", cache=None, name="doc"):
        path = tmp_path / f"{name}{suffix}"
        path.write_text(md(text))
        document = parse_text(path.read_text(), path)
        return [run_session(session, environment or PlainEnvironment(), sandbox="off", cache=cache)
                for session in document.sessions]
    return run


def statuses(results):
    return [block.status for result in results for block in result.blocks]


PYTHON = sys.executable
