import os
import re

import pytest

from tutorial_runner.session import ShellSession, normalize, session_processes


def test_output_and_exit_status(shell):
    out = shell.run("echo hi; false")
    assert (out.text, out.exit_status, out.state) == ("hi\n", 1, "prompt")
    assert shell.run("(exit 7)").exit_status == 7
    assert shell.run("true").exit_status == 0


def test_environment_of_the_shell(shell):
    out = shell.run('echo "$LANG $TERM $HOME"; pwd; stty size; [ -t 0 ] && echo tty')
    lang, term, home = out.lines[0].split()
    assert lang == "C.UTF-8" and term in ("dumb", "xterm")
    assert out.lines[1] == home == str(shell.workdir)
    assert out.lines[2:] == ["50 200", "tty"]


def test_history_expansion_is_off(shell):
    assert shell.run('echo "wow!" !!').text == "wow! !!\n"


def test_continuation_line_by_line(shell):
    first = shell.run("for i in 1 2; do")
    assert first.state == "continuation"
    line = "echo $i"
    assert shell.send_input(line).state == "continuation"
    done = shell.send_input("done")
    assert (done.state, done.text) == ("prompt", "1\n2\n")


def test_multiline_command_text(shell):
    out = shell.run("for i in a b; do\necho $i\ndone")
    assert (out.state, out.text) == ("prompt", "a\nb\n")


def test_heredoc(shell):
    out = shell.run("cat > f.txt <<'EOF'\nfirst $HOME\n  second\nEOF")
    assert out.state == "prompt"
    assert (shell.workdir / "f.txt").read_text() == "first $HOME\n  second\n"


def test_unterminated_quote_asks_for_more_and_can_be_cancelled(shell):
    assert shell.run("echo 'open").state == "continuation"
    back = shell.interrupt()
    assert back.state == "prompt"
    assert shell.run("echo fine").text == "fine\n"


def test_output_without_final_newline(shell):
    assert shell.run("printf abc").text == "abc"


def test_hung_command_times_out_and_session_recovers(shell):
    out = shell.run("sleep 30", timeout=0.5)
    assert out.state == "timeout" and out.recovered
    assert 0.5 <= out.elapsed < 3
    assert shell.run("echo still here").text == "still here\n"


def test_unrecoverable_command_ends_the_session(plain_shell):
    out = plain_shell.run("trap '' INT QUIT; while :; do sleep 0.05; done", timeout=0.3)
    # bash itself runs the loop and ignores the keys: nothing brings the prompt back
    assert out.state == "timeout"
    assert not out.recovered and not plain_shell.alive


def test_exit_ends_the_session(shell):
    out = shell.run("exit 3")
    assert out.state == "exited" and not shell.alive
    with pytest.raises(Exception, match="ended"):
        shell.run("echo no")


def test_kill_dollar_dollar(shell):
    out = shell.run("kill -9 $$", timeout=5)
    assert out.state == "exited" and out.elapsed < 3


def test_non_utf8_output_is_replaced_and_flagged(shell):
    out = shell.run(r"printf 'ok \xff\xfe\n'")
    assert out.binary and out.text == "ok \ufffd\ufffd\n"
    assert not shell.run("echo plain").binary


def test_escape_sequences_and_carriage_returns_are_rendered():
    assert normalize(b"\x1b[1;31mred\x1b[0m\r\n")[0] == "red\n"
    assert normalize(b"\x1b]0;title\x07x\r\n")[0] == "x\n"
    assert normalize(b"10%\r50%\r100%\r\n")[0] == "100%\n"
    assert normalize(b"abcdef\rXY\n")[0] == "XYcdef\n"


def test_huge_output_overflows_clearly_within_the_timeout(shell):
    out = shell.run("yes | head -c 100000000; echo end", timeout=5)
    assert out.state == "overflow" and out.recovered
    assert out.elapsed < 5
    assert "output stopped after" in out.text
    assert len(out.text) < 1_100_000
    assert shell.run("echo next").text == "next\n"


def test_interactive_program_with_its_own_prompt(shell, prompt_program):
    is_prompt = lambda partial: partial.startswith("[ root@")
    out = shell.run(prompt_program, interactive_prompt=is_prompt)
    assert (out.state, out.prompt) == ("interactive", "[ root@x:/ ]$ ")
    said = shell.send_input("hello there", interactive_prompt=is_prompt)
    assert (said.state, said.text) == ("interactive", "you said hello there\n")
    end = shell.send_input("exit", interactive_prompt=is_prompt)
    assert (end.state, end.text, end.exit_status) == ("prompt", "", 0)


def test_without_a_predicate_a_waiting_program_is_a_timeout(shell, prompt_program):
    out = shell.run(prompt_program, timeout=0.5)
    assert out.state == "timeout"


def test_slow_output_is_not_taken_for_a_prompt(shell):
    out = shell.run("printf 'working...'; sleep 0.4; echo done",
                    interactive_prompt=lambda partial: partial.startswith("[ "))
    assert (out.state, out.text) == ("prompt", "working...done\n")


def test_per_command_overhead_is_small(shell):
    import time
    def median(command):
        times = []
        for _ in range(50):
            begin = time.perf_counter()
            assert shell.run(command).exit_status == 0
            times.append(time.perf_counter() - begin)
        return sorted(times)[25]
    assert median("true") < 0.005          # a builtin: what is left is the runner's own cost
    assert median("/bin/true") < 0.05      # a fork and exec on top


def test_close_leaves_no_process_behind():
    session = ShellSession(sandbox="off")
    session.start()
    session.run("sleep 300 & setsid sleep 301 & (trap '' HUP; exec sleep 302) &")
    salt = session.salt
    import time

    def sleepers():
        found = set()
        for pid in session_processes(salt):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                    found.add(cmdline.read())
            except OSError:
                pass
        return {c for c in found if c.startswith(b"sleep\0")}

    try:
        give_up = time.monotonic() + 5
        while len(sleepers()) < 3 and time.monotonic() < give_up:
            time.sleep(0.01)  # the background jobs are forked after the prompt returns
        assert len(sleepers()) == 3
    finally:
        session.close()
    assert session_processes(salt) == []
    assert not session.root.exists()


def test_job_control_works(shell):
    out = shell.run("sleep 5 & jobs; kill %1; wait; [[ $- == *m* ]] && echo monitor")
    assert out.lines[0].startswith("[1] ") and out.lines[1].startswith("[1]+  Running")
    assert out.lines[-1] == "monitor"
