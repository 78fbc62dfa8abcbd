import sys
import textwrap
from pathlib import Path

import pytest

from tests.deps import sandbox_reason

from tutorial_runner.sandbox import detect
from tutorial_runner.session import ShellSession

SANDBOXES = ["off", pytest.param("auto", marks=pytest.mark.skipif(
    detect().kind == "none", reason=sandbox_reason()))]


@pytest.fixture(params=SANDBOXES)
def shell(request):
    with ShellSession(sandbox=request.param) as session:
        session.start()
        yield session


@pytest.fixture
def plain_shell():
    with ShellSession(sandbox="off") as session:
        session.start()
        yield session


PROMPT_PROGRAM = textwrap.dedent(r'''
    import os, sys, termios, tty
    old = termios.tcgetattr(0)
    tty.setraw(0)
    try:
        while True:
            os.write(1, b"[ root@x:/ ]$ ")
            line = b""
            while True:
                c = os.read(0, 1)
                if not c:
                    raise SystemExit(1)
                if c in (b"\r", b"\n"):
                    os.write(1, b"\r\n")
                    break
                line += c
                os.write(1, c)
            if line == b"exit":
                break
            os.write(1, b"you said " + line + b"\r\n")
    finally:
        termios.tcsetattr(0, termios.TCSADRAIN, old)
''')


@pytest.fixture
def prompt_program(shell):
    (shell.workdir / "prog.py").write_text(PROMPT_PROGRAM)
    return f"{sys.executable} -S -I prog.py"
