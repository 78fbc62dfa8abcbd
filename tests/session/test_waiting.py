"""A command waiting for input that will never come stops at once ("waiting", the screen
kept, the shell recovered); a command that is only slow is never taken for one."""

from __future__ import annotations

import sys

import pytest

from tutorial_runner.waiting import waiting_for_input

LONG = 120.0   # a timeout no step here comes near: a step that ends did not reach it

WAITS = [
    ("cat", "cat"),
    ("read answer", "bash"),
    ("cat | grep x", "cat"),
    (f"{sys.executable} -S -I -q -i", "python3"),           # select() on the terminal alone
    ("printf 'Password: '; read -s secret", "bash"),
]


@pytest.mark.parametrize("command,who", WAITS)
def test_waiting_for_the_keyboard_stops_at_once_and_the_shell_recovers(shell, command, who):
    out = shell.run(command, timeout=LONG, interactive_prompt=lambda partial: False)
    assert out.state == "waiting" and out.recovered
    assert out.waiting.startswith(who[:6])
    after = shell.run("echo still here", timeout=10)
    assert (after.state, after.text) == ("prompt", "still here\n")


def test_the_screen_up_to_the_unanswered_prompt_is_kept(shell):
    out = shell.run("echo before; printf 'Name: '; read name", timeout=LONG,
                    interactive_prompt=lambda partial: False)
    assert out.state == "waiting"
    assert out.text == "before\nName: "


BUSY = [
    # sleeping, a time limit on the read, a pipe from something busy, a thread still working
    ("sleep 1.2; echo woke", "woke\n"),
    ("sleep 1.2 | cat; echo piped", "piped\n"),
    ("read -t 1.2 x; echo timed", "timed\n"),
    (f"{sys.executable} -S -I -c 'import os, sys, threading, time; "
     "threading.Thread(target=sys.stdin.read, daemon=True).start(); time.sleep(1.2); "
     "print(\"thread\", flush=True); os._exit(0)'", "thread\n"),
    (f"{sys.executable} -S -I -c 'import os, sys, threading; "
     "threading.Thread(target=sys.stdin.read, daemon=True).start(); "
     "threading.Event().wait(1.2); print(\"timer\", flush=True); os._exit(0)'", "timer\n"),
]


@pytest.mark.parametrize("command,printed", BUSY)
def test_a_slow_command_is_not_waiting(shell, command, printed):
    out = shell.run(command, timeout=LONG, interactive_prompt=lambda partial: False)
    assert (out.state, out.text) == ("prompt", printed)


def test_a_program_at_a_prompt_the_transcript_answers_is_interactive_not_waiting(shell, prompt_program):
    out = shell.run(prompt_program, timeout=LONG,
                    interactive_prompt=lambda partial: partial.endswith("]$ "))
    assert out.state == "interactive"
    out = shell.send_input("exit", timeout=10)
    assert out.state == "prompt"


def test_without_the_terminal_s_device_nothing_is_said_to_wait(plain_shell):
    plain_shell._send("cat\n")
    import time
    time.sleep(0.5)
    assert waiting_for_input(plain_shell.child.child_fd, plain_shell._device) == "cat"
    assert waiting_for_input(plain_shell.child.child_fd, None) is None
    plain_shell.interrupt()
