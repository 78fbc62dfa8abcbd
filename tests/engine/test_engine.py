import pytest

from tutorial_runner.engine import _safe_parts, write_inside
from tests.engine.conftest import PYTHON, FakeEnvironment, statuses
from tests.session.conftest import PROMPT_PROGRAM


def test_commands_continuations_and_heredocs_verify(run):
    results = run('''
        # Title

        ```{transcript}
        $ echo hello
        hello
        $ for i in 1 2; do
        echo $i
        done
        1
        2
        $ for i in a b; do
        > echo $i
        > done
        a
        b
        $ cat <<EOF
        > one
        >   two
        > EOF
        one
          two
        $ seq 5
        1
        ...
        5
        # commentary is not output
        $ printf 'a  b\\tc\\n'
        a b   c
        ```
        ''')
    [result] = results
    assert result.ok, result.blocks[0].steps
    steps = result.blocks[0].steps
    assert [s.command.split("\n")[0] for s in steps] == [
        "echo hello", "for i in 1 2; do", "for i in a b; do", "cat <<EOF", "seq 5",
        "printf 'a  b\\tc\\n'"]
    assert steps[0].line == 4 and steps[1].live == ["1", "2"]


def test_a_mismatch_fails_with_line_and_diff(run):
    [result] = run('''
        ```{transcript}
        $ echo one
        one
        $ echo two
        three
        $ echo four
        four
        ```
        ''')
    block = result.blocks[0]
    assert block.status == "failed" and not result.ok
    bad = [s for s in block.steps if not s.ok]
    assert [(s.line, s.command) for s in bad] == [(4, "echo two")]
    assert "-three" in bad[0].diff and "+two" in bad[0].diff
    assert block.steps[2].ok  # later steps still ran


def test_missing_and_extra_output_lines_fail(run):
    results = run('''
        ```{transcript}
        $ seq 2
        1
        ```

        ```{transcript}
        $ seq 2
        1
        2
        3
        ```
        ''')
    assert statuses(results) == ["failed", "failed"]


def test_skip_drift_and_unexpected_match(run):
    results = run('''
        ```{transcript}
        :skip: needs a cloud
        $ false-command-never-run
        whatever
        ```

        ```{transcript}
        :expect-drift: newer versions print more
        $ echo new
        old
        ```

        ```{transcript}
        :expect-drift: said to drift
        $ echo same
        same
        ```

        ```{transcript}
        $ echo later
        later
        ```
        ''')
    [result] = results
    assert statuses(results) == ["skipped", "drift", "unexpected-match", "verified"]
    assert result.blocks[0].message == "needs a cloud"
    assert not result.ok


def test_bindings_carry_into_later_commands(run):
    [result] = run('''
        ```{transcript}
        $ printf 'pod/web-%s-%s 10.1.2.%s\\n' 7d4b9c8f6d x2k4q 77
        pod/web-3800858182-jr4a2 10.244.1.5
        $ echo web-3800858182-jr4a2 at 10.244.1.5
        web-3800858182-jr4a2 at 10.244.1.5
        ```
        ''')
    assert result.ok, result.blocks[0].steps
    second = result.blocks[0].steps[1]
    assert second.typed == "echo web-7d4b9c8f6d-x2k4q at 10.1.2.77"
    assert second.bindings["10.244.1.5"] == "10.1.2.77"


def test_inconsistent_binding_fails(run):
    [result] = run('''
        ```{transcript}
        $ echo 10.1.2.3 10.1.2.4
        10.244.0.1 10.244.0.1
        ```
        ''')
    assert result.blocks[0].status == "failed"


def test_files_are_written_before_the_next_command(run):
    [result] = run('''
        ```{tutorial-file} conf/app.yaml
        name: x
        ```

        ```{transcript}
        $ cat conf/app.yaml
        name: x
        ```
        ''')
    assert statuses([result]) == ["verified", "verified"]


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a/../../b", "", "dir/"])
def test_unsafe_file_names_are_refused(name):
    assert _safe_parts(name) is None


def test_safe_file_name(tmp_path):
    assert _safe_parts("a/./b.txt") == ["a", "b.txt"]
    write_inside(tmp_path, ["a", "b.txt"], b"hi\n")
    assert (tmp_path / "a" / "b.txt").read_bytes() == b"hi\n"


def test_no_symbolic_link_is_followed_on_the_way(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    (work / "sub").symlink_to(outside)
    (work / "f.yaml").symlink_to(outside / "f.yaml")
    with pytest.raises(OSError):
        write_inside(work, ["sub", "f.yaml"], b"x")
    with pytest.raises(OSError):
        write_inside(work, ["f.yaml"], b"x")
    assert list(outside.iterdir()) == []


def test_a_fifo_in_the_way_is_refused_without_waiting(tmp_path):
    import os
    os.mkfifo(tmp_path / "f.yaml")
    with pytest.raises(OSError):
        write_inside(tmp_path, ["f.yaml"], b"x")


def test_interactive_program_prompts(run, tmp_path):
    (tmp_path / "prog.py").write_text(PROMPT_PROGRAM)
    [result] = run(f'''
        ```{{transcript}}
        $ cd {tmp_path}
        $ {PYTHON} -I prog.py
        [ root@x:/ ]$ hello
        you said hello
        [ root@x:/ ]$ exit
        ```

        ```{{transcript}}
        $ echo back
        back
        ```
        ''')
    assert result.ok, [s for b in result.blocks for s in b.steps]
    steps = result.blocks[0].steps
    assert [s.state for s in steps] == ["prompt", "interactive", "interactive", "prompt"]
    assert steps[2].live == ["you said hello"]


def test_interactive_program_continues_in_the_next_block(run, tmp_path):
    (tmp_path / "prog.py").write_text(PROMPT_PROGRAM)
    [result] = run(f'''
        ```{{transcript}}
        $ cd {tmp_path} && {PYTHON} -I prog.py
        ```

        Inside the program:

        ```{{transcript}}
        [ root@x:/ ]$ hi
        you said hi
        [ root@x:/ ]$ exit
        ```
        ''')
    assert result.ok, [s for b in result.blocks for s in b.steps]


def test_environment_input_prompts_and_variables(run):
    [result] = run('''
        ```{transcript}
        :cluster: small
        node $ echo "$PROFILE" $((40+2))
        small 42
        ```
        ''', environment=FakeEnvironment())
    assert result.ok, result.blocks[0].steps
    assert result.blocks[0].steps[0].typed == "sh -c 'echo \"$PROFILE\" $((40+2))'"


def test_timeout_fails_the_step_and_the_session_goes_on(run):
    [result] = run('''
        ```{transcript}
        :timeout: 0.5
        $ sleep 20
        $ echo after
        after
        ```
        ''')
    steps = result.blocks[0].steps
    assert result.blocks[0].status == "failed"
    assert steps[0].state == "timeout" and "timed out" in steps[0].note
    assert steps[1].ok


def test_shell_exit_makes_the_rest_errors(run):
    [result] = run('''
        ```{transcript}
        $ exit
        ```

        ```{transcript}
        $ echo never
        never
        ```
        ''')
    assert statuses([result]) == ["error", "error"]
    assert "exited" in result.blocks[0].message


def test_unknown_profile_is_a_clear_error_and_other_sessions_run(run):
    results = run('''
        ```{transcript}
        :session: one
        :cluster: galaxy
        $ echo x
        x
        ```

        ```{transcript}
        :session: two
        $ echo y
        y
        ```
        ''', environment=FakeEnvironment())
    assert statuses(results) == ["error", "verified"]
    assert "unknown profile 'galaxy'" in results[0].blocks[0].message


def test_failing_environment_start(run):
    [result] = run('''
        ```{transcript}
        $ echo x
        x
        ```
        ''', environment=FakeEnvironment(start=["sh", "-c", "echo boom; exit 3"]))
    assert result.blocks[0].status == "error"
    assert "boom" in result.blocks[0].message


def test_rst_documents(run):
    [result] = run('''
        Title
        =====

        .. transcript::

           $ echo rst
           rst
        ''', suffix=".rst")
    assert result.ok


def test_commentary_closing_a_block_inside_a_program_is_not_output(run, tmp_path):
    (tmp_path / "prog.py").write_text(PROMPT_PROGRAM)
    [result] = run(f'''
        ```{{transcript}}
        $ cd {tmp_path} && {PYTHON} -I prog.py
        # the program now waits at its prompt
        ```

        ```{{transcript}}
        [ root@x:/ ]$ exit
        ```
        ''')
    assert result.ok, [s for b in result.blocks for s in b.steps]
    assert result.blocks[0].steps[0].expected == []


def test_output_where_nothing_was_typed_fails(run):
    [result] = run('''
        ```{transcript}
        [ root@x:/ ]$ ls
        something
        ```
        ''')
    assert result.blocks[0].status == "failed"
    assert "no input" in result.blocks[0].steps[0].note


def test_non_utf8_output_is_flagged(run):
    [result] = run(r'''
        ```{transcript}
        $ printf 'caf\351\n'
        café
        ```
        ''')
    step = result.blocks[0].steps[0]
    assert step.binary and not step.ok and "not UTF-8" in step.note
    assert step.live == ["caf\ufffd"]


POD_SHELL = r'''
import os, random, sys, termios, tty
rng = random.Random()
name = "curl-" + "".join(rng.choice("456789bcdf") for _ in range(9)) + "-" + \
    "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
print("If you don't see a command prompt, try pressing enter.", flush=True)
old = termios.tcgetattr(0)
tty.setraw(0)
try:
    while True:
        os.write(1, f"[ root@{name}:/ ]$ ".encode())
        line = b""
        while (c := os.read(0, 1)) not in (b"\r", b"\n", b""):
            line += c
            os.write(1, c)
        os.write(1, b"\r\n")
        if line in (b"exit", b""):
            break
        if line == b"hostname":
            os.write(1, name.encode() + b"\r\n")
finally:
    termios.tcsetattr(0, termios.TCSADRAIN, old)
print(f'Session ended, resume using "attach {name}"', flush=True)
'''


def test_a_generated_name_binds_through_a_program_prompt(run, tmp_path):
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "pod-shell").write_text(f"#!{PYTHON} -I\n" + POD_SHELL)
    (tools / "pod-shell").chmod(0o755)
    [result] = run(f'''
        ```{{transcript}}
        $ export PATH={tools}:$PATH
        $ pod-shell
        If you don't see a command prompt, try pressing enter.
        [ root@curl-131556218-9fnch:/ ]$ hostname
        curl-131556218-9fnch
        [ root@curl-131556218-9fnch:/ ]$ exit
        Session ended, resume using "attach curl-131556218-9fnch"
        $ echo curl-131556218-9fnch
        curl-131556218-9fnch
        ```
        ''')
    assert result.ok, [s for b in result.blocks for s in b.steps]
    last = result.blocks[0].steps[-1]
    live_name = last.bindings["curl-131556218-9fnch"]
    assert live_name != "curl-131556218-9fnch" and last.typed == f"echo {live_name}"


def test_a_program_prompt_other_than_documented_fails_without_losing_step(run, tmp_path):
    (tmp_path / "prog.py").write_text(PROMPT_PROGRAM)
    [result] = run(f'''
        ```{{transcript}}
        :expect-drift: the prompt was different back then
        $ cd {tmp_path} && {PYTHON} -I prog.py
        [ root@y:/ ]$ hello
        you said hello
        [ root@y:/ ]$ exit
        ```

        ```{{transcript}}
        $ echo back
        back
        ```
        ''')
    assert [b.status for b in result.blocks] == ["drift", "verified"]
    steps = result.blocks[0].steps
    assert steps[1].live == ["you said hello"] and not steps[1].ok
    assert "'[ root@x:/ ]$', not '[ root@y:/ ]$'" in steps[1].note
    assert result.elapsed < 5


def test_vars_bind_placeholders_and_reach_later_commands(run):
    [result] = run('''
        ```{transcript}
        :vars: <EXTERNAL-IP>
        $ echo "address: 203.0.113.9"
        address: <EXTERNAL-IP>
        $ echo "curl http://<EXTERNAL-IP>/"
        curl http://<EXTERNAL-IP>/
        ```
        ''')
    assert result.ok, result.blocks[0].steps
    assert result.blocks[0].steps[1].typed == 'echo "curl http://203.0.113.9/"'


@pytest.mark.parametrize("options,ok", [("", False), (":unordered:", True)])
def test_unordered_option(run, options, ok):
    [result] = run(f'''
        ```{{transcript}}
        {options}
        $ printf 'b\\na\\n'
        a
        b
        ```
        ''')
    assert result.ok is ok


@pytest.mark.parametrize("options,ok", [("", True), (":exact-whitespace:", False)])
def test_exact_whitespace_option(run, options, ok):
    [result] = run(f'''
        ```{{transcript}}
        {options}
        $ printf 'a   b\\n'
        a b
        ```
        ''')
    assert result.ok is ok


def test_a_command_shown_only_as_ellipsis_must_not_fail_unless_the_page_expects_an_error(run):
    [result] = run('''
        ```{transcript}
        $ ls /nonexistent-dir
        ...
        $ echo fine
        ...
        $ (exit 3)
        $ ls /nonexistent-dir
        ls: cannot access '/nonexistent-dir': No such file or directory
        ```

        ```{transcript}
        :expect-error:
        $ ls /nonexistent-dir
        ...
        ```
        ''')
    first, second = result.blocks
    assert statuses([result]) == ["failed", "verified"]
    hidden, fine, silent, shown = first.steps
    assert not hidden.ok and hidden.exit_status == 2
    assert "exited with status 2" in hidden.note and ":expect-error:" in hidden.note
    # the screen the ... stood for is in the report
    assert " ls: cannot access '/nonexistent-dir': No such file or directory" in hidden.diff
    assert fine.ok
    # output documented (or none at all) is compared as ever: the status is not the rule there
    assert silent.ok and shown.ok
    assert second.steps[0].ok and second.steps[0].exit_status == 2
