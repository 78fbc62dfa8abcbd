"""Static classification of transcript bodies, and the rendering guesses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutorial_runner.model import Block
from tutorial_runner.transcript import (
    INTERACTIVE_PROMPT,
    classify,
    classify_block,
    is_incomplete,
    starts_interactive,
    static_input_guess,
)


def kinds(body: str, prompts: tuple[str, ...] = ()) -> list[str]:
    return [line.kind for line in classify(body.strip("\n").splitlines(), prompts)]


def test_commands_output_and_numbers() -> None:
    body = ["$ kubectl get svc my-nginx",
            "NAME       TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE",
            "my-nginx   ClusterIP   10.0.162.149   <none>        80/TCP    21s",
            "$"]
    lines = classify(body, body_line=40)
    assert [l.kind for l in lines] == ["command", "other", "other", "command"]
    assert [l.index for l in lines] == [0, 1, 2, 3]
    assert [l.number for l in lines] == [40, 41, 42, 43]
    assert (lines[0].prompt, lines[0].content) == ("$ ", "kubectl get svc my-nginx")
    assert lines[3].content == ""
    assert lines[1].content == lines[1].text


def test_commentary_only_before_a_command_or_at_the_end() -> None:
    assert kinds("""
# Create the Deployment
# (two replicas)
$ kubectl apply -f run-my-nginx.yaml
deployment.apps/my-nginx created
# not commentary: output followed by output
server { listen 80; }
# commentary again, before the next command
$ cat default.conf
# printed by cat
server { }
# trailing commentary
""") == ["comment", "comment", "command", "other", "other", "other", "comment", "command",
         "other", "other", "comment"]
    assert kinds("$ x\n#not-a-comment\n$ y") == ["command", "other", "command"]
    assert kinds("$ x\n# a\n\n$ y") == ["command", "other", "other", "command"]


def test_ellipsis_and_prompted_lines() -> None:
    assert kinds("$ curl -k https://10.244.3.5\n...\n<h1>Welcome to nginx!</h1>\n ...") == [
        "command", "ellipsis", "other", "other"]
    lines = classify(["# on a node", "node $ curl -k https://10.244.3.5", "..."], ("node $ ",))
    assert [l.kind for l in lines] == ["comment", "prompted", "ellipsis"]
    assert (lines[1].prompt, lines[1].content) == ("node $ ", "curl -k https://10.244.3.5")
    assert kinds("node $ ls", ()) == ["other"]


def test_longest_input_prompt_wins() -> None:
    lines = classify(["node-2 $ ls"], ("node $ ", "node-2 $ "))
    assert lines[0].prompt == "node-2 $ "


def test_classify_block_uses_the_block_lines() -> None:
    block = Block("transcript", Path("a.md"), 10, ("$ ls", "a"), 12)
    assert [l.number for l in classify_block(block)] == [12, 13]


# -- shell input completeness -----------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "for i in $(seq 1 3); do", "for i in 1 2; do\n  echo $i", "kubectl get pods \\",
    "echo 'unterminated", 'echo "unterminated', "cat <<EOF > x.yaml", "cat <<-'END'\n\tline",
    "if true; then", "case $x in", "kubectl get pods |", "true &&", "echo $(date", "{ echo a",
    "while true; do sleep 1;",
])
def test_incomplete_input(text: str) -> None:
    assert is_incomplete(text)


@pytest.mark.parametrize("text", [
    "kubectl get pods", "for i in 1 2; do echo $i; done", "for i in 1 2; do\n  echo $i\ndone",
    "echo 'for do'", 'echo "it\'s"', "cat <<EOF > x.yaml\na: 1\nEOF", "cat <<-END\n\ta\n\tEND",
    "if true; then echo; fi", "echo done for", "echo a # for while", "cat <<<\"x\"",
    "case $x in a) echo a;; esac", "echo \\\\", "echo $(date)",
])
def test_complete_input(text: str) -> None:
    assert not is_incomplete(text)


@pytest.mark.parametrize("command, expected", [
    ("kubectl run curl --image=radial/busyboxplus:curl -i --tty", True),
    ("kubectl exec -it my-nginx-3800858182-jr4a2 -- sh", True),
    ("kubectl exec -ti web-0 -- /bin/bash", True),
    ("kubectl exec --stdin --tty web-0 -- sh", True),
    ("kubectl run --rm -i test --image=busybox -- wget -qO- my-nginx", False),
    ("kubectl exec web-0 -- ls -it", False),
    ("kubectl get pods -o wide", False),
])
def test_starts_interactive(command: str, expected: bool) -> None:
    assert starts_interactive(command) is expected


@pytest.mark.parametrize("line, prompt", [
    ("[ root@curl-131556218-9fnch:/ ]$ nslookup my-nginx", "[ root@curl-131556218-9fnch:/ ]$ "),
    ("root@curl:/# ls", "root@curl:/# "),
    ("user@host:~$ echo", "user@host:~$ "),
    ("/ # wget -qO- my-nginx", "/ # "),
    ("bash-5.1# exit", "bash-5.1# "),
])
def test_interactive_prompts(line: str, prompt: str) -> None:
    match = INTERACTIVE_PROMPT.match(line)
    assert match and match.group() == prompt


@pytest.mark.parametrize("line", ["Server:    10.0.0.10", "Address 1: 10.0.0.10", "# comment",
                                  "NAME   READY", "<h1>Welcome to nginx!</h1>"])
def test_output_is_not_a_prompt(line: str) -> None:
    assert INTERACTIVE_PROMPT.match(line) is None


# -- rendering guesses ------------------------------------------------------------------------


def guesses(body: str, prompts: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    lines = classify(body.strip("\n").splitlines(), prompts)
    return [(g.kind, g.prompt, g.input) for g in static_input_guess(lines)]


def test_loop_spread_over_lines_is_input() -> None:
    assert guesses("""
$ for i in 1 2 3; do
  kubectl exec my-nginx -- hostname
done
my-nginx-1
my-nginx-2
""") == [
        ("command", "$ ", "for i in 1 2 3; do"),
        ("continuation", "", "  kubectl exec my-nginx -- hostname"),
        ("continuation", "", "done"),
        ("output", "", "my-nginx-1"),
        ("output", "", "my-nginx-2"),
    ]


def test_continuation_prompts_and_here_documents() -> None:
    assert guesses("""
$ kubectl get pods \\
> -o wide
NAME
$ cat <<EOF > svc.yaml
apiVersion: v1
EOF
$ echo done
done
""") == [
        ("command", "$ ", "kubectl get pods \\"),
        ("continuation", "> ", "-o wide"),
        ("output", "", "NAME"),
        ("command", "$ ", "cat <<EOF > svc.yaml"),
        ("continuation", "", "apiVersion: v1"),
        ("continuation", "", "EOF"),
        ("command", "$ ", "echo done"),
        ("output", "", "done"),
    ]


def test_interactive_program_input() -> None:
    result = guesses("""
$ kubectl run curl --image=radial/busyboxplus:curl -i --tty
Waiting for pod default/curl-131556218-9fnch to be running, status is Pending, pod ready: false
Hit enter for command prompt
[ root@curl-131556218-9fnch:/ ]$ nslookup my-nginx
Server:    10.0.0.10
Address 1: 10.0.0.10
[ root@curl-131556218-9fnch:/ ]$ exit
$ kubectl get pods
[ not@a:prompt ]$ after a plain command
""")
    assert [g[0] for g in result] == ["command", "output", "output", "interactive", "output", "output",
                                      "interactive", "command", "output"]
    assert result[3][1:] == ("[ root@curl-131556218-9fnch:/ ]$ ", "nslookup my-nginx")


def test_a_block_may_open_inside_an_interactive_program() -> None:
    assert guesses("""
[ root@curl:/ ]$ exit
Session ended, resume using 'kubectl attach curl -c curl -i -t' command when the pod is running
$ kubectl delete pod curl
pod "curl" deleted from default namespace
""") == [
        ("interactive", "[ root@curl:/ ]$ ", "exit"),
        ("output", "", "Session ended, resume using 'kubectl attach curl -c curl -i -t' command when the pod is running"),
        ("command", "$ ", "kubectl delete pod curl"),
        ("output", "", 'pod "curl" deleted from default namespace'),
    ]


def test_prompted_comment_and_ellipsis_guesses() -> None:
    assert guesses("# on a node\nnode $ curl -k https://10.244.3.5\n...\n<h1>Welcome</h1>", ("node $ ",)) == [
        ("comment", "", "# on a node"),
        ("prompted", "node $ ", "curl -k https://10.244.3.5"),
        ("ellipsis", "", "..."),
        ("output", "", "<h1>Welcome</h1>"),
    ]


def test_output_starting_with_a_quote_marker_after_output_stays_output() -> None:
    assert [g[0] for g in guesses("$ diff a b\n1c1\n< x\n> y")] == ["command", "output", "output", "output"]


@pytest.mark.parametrize("line, expected", [
    ("$ ls", True), ("$", True), ("node $ ip a", True), ("[ root@curl:/ ]$ ls", True),
    ("root@web-0:/# ls", True), ("NAME   READY", False), ("# comment", False), ("...", False),
    ("deployment.apps/my-nginx created", False), ("$HOME", False),
])
def test_looks_like_input(line: str, expected: bool) -> None:
    from tutorial_runner.transcript import looks_like_input

    assert looks_like_input(line) is expected


def test_interactive_flags_split_over_continuation_lines_and_loops() -> None:
    split = guesses("$ kubectl run curl --image=radial/busyboxplus:curl \\\n> -i --tty\n[ root@curl:/ ]$ ls")
    assert [g[0] for g in split] == ["command", "continuation", "interactive"]
    loop = guesses("$ for p in a b; do\n  kubectl exec -it $p -- ls\ndone\n[ root@curl:/ ]$ ls")
    assert [g[0] for g in loop] == ["command", "continuation", "continuation", "output"]
