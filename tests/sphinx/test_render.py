from tutorial_runner.sphinx.lines import console_lines
from tutorial_runner.sphinx.render import ConsoleLine, console_html, file_language


def kinds(body):
    return [(line.kind, line.prompt) for line in console_lines(body, ["node $ "])]


def test_prompts_come_from_the_directive_rules_not_from_guessing():
    body = (
        "# commentary before a command",
        "$ printf '# x\\n'",
        "# x",
        "  % Total    % Received",
        "$ kubectl run curl -i --tty --image=radial/busyboxplus:curl",
        "[ root@curl-131556218-9fnch:/ ]$ nslookup my-nginx",
        "Server:    10.0.0.10",
        "node $ curl 10.0.0.1",
        "...",
        "# closing commentary",
    )
    assert kinds(body) == [
        ("commentary", ""),
        ("input", "$ "),
        ("output", ""),
        ("output", ""),
        ("input", "$ "),
        ("input", "[ root@curl-131556218-9fnch:/ ]$ "),
        ("output", ""),
        ("input", "node $ "),
        ("ellipsis", ""),
        ("commentary", ""),
    ]


def test_continuation_lines_with_and_without_prompt():
    body = ("$ for i in 1 2; do", "> echo $i", "> done", "1", "> quoted output")
    assert kinds(body) == [("input", "$ "), ("input", "> "), ("input", "> "),
                           ("output", ""), ("output", "")]
    bare = ("$ for i in 1 2; do", "  echo $i", "done", "1", "2")
    assert kinds(bare) == [("input", "$ "), ("input", ""), ("input", ""),
                           ("output", ""), ("output", "")]


def test_console_html_marks_prompt_and_output_and_escapes():
    html = console_html([
        ConsoleLine("input", "echo '<b>'", "$ "),
        ConsoleLine("output", "<b>"),
        ConsoleLine("commentary", "# note"),
    ])
    assert '<span class="gp">$ </span>' in html
    assert '<span class="go">&lt;b&gt;\n</span>' in html
    assert '<span class="tr-commentary"><span class="c1"># note</span>\n</span>' in html
    assert "<b>" not in html
    # the command itself is lexed as bash
    assert '<span class="nb">echo</span>' in html


def test_copying_without_prompt_output_and_commentary_leaves_the_commands():
    import re

    html = console_html(console_lines(("# c", "$ ls -l", "total 0", "$ pwd", "/tmp")))
    for cls in ("gp", "go", "tr-commentary"):
        html = re.sub(rf'<span class="{cls}">(?:<span[^>]*>[^<]*</span>)?[^<]*</span>', "", html)
    text = re.sub(r"<[^>]+>", "", html)
    assert text == "ls -l\npwd\n"


def test_file_language_by_name_and_content():
    assert file_language("run-my-nginx.yaml") == "yaml"
    assert file_language("x.yml") == "yaml"
    assert file_language("Makefile") == "make"
    assert file_language("nginx/default.conf", "server {\n listen 80;\n}") == "nginx"
    assert file_language("app.conf", "[section]\nkey = 1") == "ini"
    assert file_language("tls.crt") == "text"
    assert file_language("data.json") == "json"
    assert file_language("no-extension-at-all") == "text"


def test_japanese_line_breaks_join_without_a_space():
    from tutorial_runner.sphinx.typography import join_lines

    assert join_lines("確かめます。\nこのページでは") == "確かめます。このページでは"
    assert join_lines("です。\nPod は") == "です。Pod は"
    assert join_lines("Service\nを作る") == "Serviceを作る"
    assert join_lines("kubectl\napply -f") == "kubectl\napply -f"      # Latin text keeps its break
    assert join_lines("\n", "。", "こ") == ""                           # a break of its own
    assert join_lines(" の出力も\n", "l", "確") == " の出力も"
    assert join_lines("\n", "a", "b") == "\n"
