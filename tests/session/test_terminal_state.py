"""What a command does to the shell's prompt or terminal does not leak into later input."""

from tutorial_runner.session import ShellSession


def _shell() -> ShellSession:
    shell = ShellSession(sandbox="off")
    shell.start()
    return shell


def test_a_command_setting_ps1_keeps_the_session():
    with _shell() as shell:
        assert shell.run("PS1='$ '; PS2='> '", timeout=3).state == "prompt"
        out = shell.run("false", timeout=3)
        assert (out.state, out.exit_status) == ("prompt", 1)
        more = shell.run("for i in 1 2\ndo echo $i\ndone", timeout=3)
        assert (more.state, more.lines) == ("prompt", ["1", "2"])


def test_set_x_does_not_show_the_prompt_markers():
    with _shell() as shell:
        shell.run("set -x", timeout=3)
        out = shell.run("echo hi", timeout=3)
        assert out.state == "prompt"
        assert out.lines == ["+ echo hi", "hi"]


def test_stty_echo_is_undone_before_the_next_command():
    with _shell() as shell:
        assert shell.run("stty echo", timeout=3).state == "prompt"
        assert shell.run("echo still here", timeout=3).lines == ["still here"]
        assert "-echo" in shell.run("stty -a", timeout=3).text


def test_a_10000_byte_command_reaches_bash_whole():
    word = "x" * 10_000
    with _shell() as shell:
        out = shell.run(f"echo {word} | wc -c", timeout=5)
        assert (out.state, out.lines) == ("prompt", ["10001"])
        # Canonical mode is back: a short command after it behaves as usual.
        assert "icanon" in shell.run("stty -a", timeout=3).text.replace("-icanon", "")
        assert shell.run("echo short", timeout=3).lines == ["short"]


def test_a_long_line_inside_a_continued_command():
    word = "y" * 6_000
    with _shell() as shell:
        out = shell.run(f"for n in 1\ndo printf %s {word} | wc -c\ndone", timeout=5)
        assert (out.state, out.lines) == ("prompt", ["6000"])


def test_the_runner_pid_is_given_only_where_it_is_visible():
    import os

    from tutorial_runner.sandbox import detect
    with _shell() as shell:
        assert shell.run("echo $TUTORIAL_RUNNER_PID", timeout=3).lines == [str(os.getpid())]
    if detect().kind != "none":
        with ShellSession(sandbox="auto") as boxed:
            boxed.start()
            assert boxed.run("echo ${TUTORIAL_RUNNER_PID-unset}", timeout=3).lines == ["unset"]
