"""Reading transcript and tutorial-file blocks from MyST and reST documents."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from docutils import nodes

from tutorial_runner.directives import transcript_node, tutorial_file_node
from tutorial_runner.document import parse_text, read_document, read_documents
from tutorial_runner.model import DocumentError

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
BOTH = [FIXTURES / "services.md", FIXTURES / "services.rst"]
DIRECTIVE_MARKS = ("{transcript}", "{tutorial-file}", ".. transcript::", ".. tutorial-file::")


def directive_lines(path: Path) -> list[int]:
    """1-based lines of the directives, found by plain text search."""
    lines = path.read_text().splitlines()
    return [i + 1 for i, line in enumerate(lines) if any(m in line for m in DIRECTIVE_MARKS)]


def line_of(path: Path, text: str, after: int) -> int:
    """1-based line of the first line after ``after`` whose stripped text is ``text``."""
    lines = path.read_text().splitlines()
    for i in range(after, len(lines)):
        if lines[i].strip() == text.strip():
            return i + 1
    raise AssertionError(f"{text!r} not found after line {after}")


@pytest.mark.parametrize("path", BOTH, ids=lambda p: p.suffix)
def test_blocks_in_document_order_with_exact_lines(path: Path) -> None:
    document = read_document(path)
    assert [b.line for b in document.blocks] == directive_lines(path)
    for block in document.blocks:
        assert block.body_line == line_of(path, block.body[0], block.line)
        # every body line sits where body_line says (indentation aside)
        source = path.read_text().splitlines()
        for i, text in enumerate(block.body):
            assert source[block.body_line - 1 + i].strip() == text.strip()


@pytest.mark.parametrize("path", BOTH, ids=lambda p: p.suffix)
def test_options_and_bodies(path: Path) -> None:
    blocks = read_document(path).blocks
    assert [b.kind for b in blocks] == ["file", "transcript", "transcript", "transcript",
                                        "transcript", "transcript", "file"]
    first_file, apply, get_svc, hidden, skipped, drift, conf = blocks
    assert first_file.filename == "run-my-nginx.yaml"
    assert first_file.session_name == "services"
    assert first_file.body == ("apiVersion: apps/v1", "kind: Deployment", "metadata:",
                               "  name: my-nginx")
    assert apply.options.cluster == "gke"
    assert apply.body == ("$ kubectl apply -f ./run-my-nginx.yaml",
                          "deployment.apps/my-nginx created")
    options = get_svc.options
    assert options.vars == ("<EXTERNAL-IP>", "xxx.xxx.xxx.xxx=104.197.41.11")
    assert (options.unordered, options.exact_whitespace, options.timeout) == (True, True, 2.5)
    assert get_svc.body[0] == "# Look at the Service"
    assert get_svc.body[-1].split() == ["my-nginx", "ClusterIP", "10.0.162.149", "<none>",
                                        "80/TCP", "21s"]
    assert hidden.options.hide and hidden.session_name == "default"
    assert hidden.body == ("$ kubectl get pods", "...")
    assert skipped.options.skip == "needs a real load balancer"
    assert drift.options.expect_drift == "the guide shows an old kubectl"
    assert conf.filename == "conf/default.conf" and conf.body == ("server { listen 80; }",)
    assert [s.name for s in read_document(path).sessions] == ["services", "default"]


def test_markdown_and_rest_agree() -> None:
    md, rst = (read_document(p).blocks for p in BOTH)
    assert [(b.kind, b.body, b.options, b.filename) for b in md] == [
        (b.kind, b.body, b.options, b.filename) for b in rst
    ]


def test_nodes_carry_the_block_and_the_text() -> None:
    from docutils.core import publish_doctree

    from tutorial_runner import document

    text = (FIXTURES / "services.rst").read_text()
    settings = {"report_level": 5, "halt_level": 5, "warning_stream": False}
    with document._our_directives():
        tree = publish_doctree(text, source_path="services.rst", settings_overrides=settings)
    transcripts = list(tree.findall(transcript_node))
    files = list(tree.findall(tutorial_file_node))
    assert len(transcripts) == 5 and len(files) == 2
    for node in transcripts + files:
        assert node.astext() == node["block"].text
        assert node.line == node["block"].line


def test_without_strict_mode_a_mistake_is_an_error_message_at_its_line() -> None:
    from docutils.core import publish_doctree

    from tutorial_runner import document

    text = "Title\n=====\n\n.. transcript::\n\n   NAME   READY\n\n.. transcript::\n\n   $ ls\n"
    settings = {"report_level": 5, "halt_level": 5, "warning_stream": False}
    with document._our_directives():
        tree = publish_doctree(text, source_path="x.rst", settings_overrides=settings)
    errors = [m for m in tree.findall(nodes.system_message) if m["level"] >= 3]
    assert len(errors) == 1 and errors[0]["line"] == 6
    assert "transcript: a transcript must begin with a '$ ' command" in errors[0].astext()
    assert len(list(tree.findall(transcript_node))) == 1


def test_directives_do_not_stay_registered() -> None:
    from docutils.parsers.rst import directives

    read_document(BOTH[1])
    assert "transcript" not in directives._directives
    assert "tutorial-file" not in directives._directives


def test_body_on_the_fence_line_and_yaml_options() -> None:
    text = "Intro\n\n```{transcript} $ ls\nfile\n```\n\n```{transcript}\n---\nsession: a\n---\n\n$ pwd\n```\n"
    first, second = parse_text(text, "x.md").blocks
    assert (first.line, first.body_line, first.body) == (3, 3, ("$ ls", "file"))
    assert (second.line, second.body_line, second.options.session) == (7, 12, "a")


def test_blank_lines_inside_output_are_kept_trailing_ones_dropped() -> None:
    text = ".. transcript::\n\n   $ kubectl get svc,ep\n   a\n\n   b\n\n\nAfter.\n"
    (block,) = parse_text(text, "x.rst").blocks
    assert block.body == ("$ kubectl get svc,ep", "a", "", "b")
    assert block.body_line == 3


def test_node_prompt_and_interactive_prompt_may_open_a_block() -> None:
    text = ("```{transcript}\nnode $ curl -k https://10.244.3.5\n...\n```\n\n"
            "```{transcript}\n[ root@curl-131556218-9fnch:/ ]$ nslookup my-nginx\nServer: 10.0.0.10\n```\n")
    assert len(parse_text(text, "x.md").blocks) == 2


ERRORS = [
    # (MyST text, reST text, message fragment, line in MyST, line in reST)
    ("```{transcript}\n:foo: 1\n$ ls\n```\n", ".. transcript::\n   :foo: 1\n\n   $ ls\n",
     "unknown option :foo:", 1, 1),
    ("```{transcript}\n:timeout: -1\n$ ls\n```\n", ".. transcript::\n   :timeout: abc\n\n   $ ls\n",
     "positive number", 1, 1),
    ("```{transcript}\n:timeout: 0\n$ ls\n```\n", ".. transcript::\n   :timeout: nan\n\n   $ ls\n",
     "positive number", 1, 1),
    ("x\n\n```{transcript}\n:skip:\n$ ls\n```\n", "x\n\n.. transcript::\n   :skip:\n\n   $ ls\n",
     ":skip: needs a reason", 3, 3),
    ("```{transcript}\n:expect-drift:\n$ ls\n```\n", ".. transcript::\n   :expect-drift:\n\n   $ ls\n",
     ":expect-drift: needs a reason", 1, 1),
    ("```{transcript}\n:hide: yes\n$ ls\n```\n", ".. transcript::\n   :hide: yes\n\n   $ ls\n",
     "takes no value", 1, 1),
    ("```{transcript}\n:expect-error: 1\n$ ls\n```\n",
     ".. transcript::\n   :expect-error: yes\n\n   $ ls\n", ":expect-error: takes no value", 1, 1),
    ("```{tutorial-file}\nx\n```\n", ".. tutorial-file::\n\n   x\n", "needs a file name", 1, 1),
    ("```{tutorial-file} ../x\nx\n```\n", ".. tutorial-file:: a/../../x\n\n   x\n",
     "unsafe file name", 1, 1),
    ("```{tutorial-file} /etc/passwd\nx\n```\n", ".. tutorial-file:: /etc/passwd\n\n   x\n",
     "unsafe file name", 1, 1),
    ("```{tutorial-file} a.yaml\n:timeout: 3\nx\n```\n",
     ".. tutorial-file:: a.yaml\n   :timeout: 3\n\n   x\n", "unknown option :timeout:", 1, 1),
    ("```{transcript}\n# comment\nNAME   READY\n```\n", ".. transcript::\n\n   # comment\n   NAME   READY\n",
     "must begin with a '$ ' command", 3, 4),
    ("T\n\n```{transcript}\n```\n", "T\n\n.. transcript::\n\n", "empty transcript", 3, 3),
    ("```{transcript}\n:vars: A=\n$ ls\n```\n", ".. transcript::\n   :vars: A=\n\n   $ ls\n",
     "TOKEN=DOCUMENTED_VALUE", 1, 1),
]


@pytest.mark.parametrize("md, rst, fragment, md_line, rst_line", ERRORS)
def test_errors_name_file_and_line(md: str, rst: str, fragment: str, md_line: int,
                                   rst_line: int) -> None:
    for text, name, line in ((md, "doc.md", md_line), (rst, "doc.rst", rst_line)):
        with pytest.raises(DocumentError) as caught:
            parse_text(text, name)
        assert caught.value.path == Path(name)
        assert caught.value.line == line
        assert fragment in caught.value.message
        assert str(caught.value).startswith(f"{name}:{line}: ")


@pytest.mark.parametrize("text, fragment", [
    ("T\n=\n\n.. transcript::\n   :session: a\n   $ ls\n", "invalid option block"),
    ("T\n=\n\n.. transcript::\n   :session: a\n   :session: b\n\n   $ ls\n", "duplicate option"),
])
def test_mistakes_docutils_catches_first_are_errors_not_dropped_blocks(text: str, fragment: str) -> None:
    with pytest.raises(DocumentError) as caught:
        parse_text(text, "doc.rst")
    assert caught.value.line == 4 and fragment in caught.value.message


def test_sphinx_only_markup_is_tolerated_silently(capsys: pytest.CaptureFixture[str]) -> None:
    text = ("```{toctree}\n:hidden:\nx\n```\n\n{ref}`a` {term}`b`\n\n```{glossary}\nx\n```\n\n"
            "```{transcript}\n$ ls\n```\n")
    assert len(parse_text(text, "x.md").blocks) == 1
    rst = ".. toctree::\n\n   x\n\n:ref:`a` :term:`b`\n\n.. versionadded:: 1\n\n.. transcript::\n\n   $ ls\n"
    assert len(parse_text(rst, "x.rst").blocks) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_bytes(b"# ok\n\nfine\n\xff\xfe broken\n")
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert caught.value.line == 4 and "UTF-8" in caught.value.message


def test_unreadable_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="cannot read"):
        read_document(tmp_path / "missing.md")
    other = tmp_path / "notes.txt"
    other.write_text("x")
    with pytest.raises(DocumentError, match="not a .md or .rst"):
        read_document(other)


def test_read_documents_expands_directories(tmp_path: Path) -> None:
    for rel in ["a.md", "sub/b.rst", "sub/c.txt", "_build/d.md", ".venv/e.md", ".hidden/f.md",
                "sub/deeper/g.md"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("```{transcript}\n$ ls\n```\n" if rel.endswith(".md") else
                        ".. transcript::\n\n   $ ls\n")
    documents = read_documents([tmp_path])
    assert [d.path.relative_to(tmp_path).as_posix() for d in documents] == [
        "a.md", "sub/b.rst", "sub/deeper/g.md"]
    assert all(len(d.blocks) == 1 for d in documents)
    again = read_documents([tmp_path / "sub" / "b.rst", tmp_path])
    assert [d.path.relative_to(tmp_path).as_posix() for d in again] == [
        "sub/b.rst", "a.md", "sub/deeper/g.md"]


def test_reading_a_long_document_is_fast(tmp_path: Path) -> None:
    parts = ["# Long\n"]
    while sum(p.count("\n") for p in parts) < 500:
        parts.append("Some prose with a {ref}`role` and *emphasis*.\n\n"
                     "```{transcript}\n:session: s\n$ kubectl get pods\n"
                     "NAME                        READY   STATUS    RESTARTS   AGE\n"
                     "my-nginx-3800858182-jr4a2   1/1     Running   0          13s\n```\n\n")
    path = tmp_path / "long.md"
    path.write_text("".join(parts))
    read_document(path)  # imports and settings are built once per process
    best = min(_timed(read_document, path) for _ in range(3))
    assert best < 0.1
    rst = tmp_path / "long.rst"
    rst.write_text("Long\n====\n\n" + ".. transcript::\n\n   $ ls\n   a\n\nProse.\n\n" * 70)
    read_document(rst)
    assert min(_timed(read_document, rst) for _ in range(3)) < 0.1


def _timed(fn, *args) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start
