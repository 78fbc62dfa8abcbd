"""Files given to ``-f`` that hold no object, as kubectl v1.35 reads them: a document that
is a string, a list or a number fails kubectl's own schema check (``apply``/``create``), or,
with ``--validate=false``, its decoding; and a text that go-yaml reads only in part (its
Unmarshal decodes the first node of each ``---`` piece and never looks further) is that
first node, as an nginx configuration handed to ``apply -f`` by mistake shows.

Each wording is the real kubectl's (checked against it by ``test_same_as_the_real_kubectl``,
skipped without it); none of these needs a server.
"""

from __future__ import annotations

import pytest

from tests.deps import needs_reference
from tests.sim.kubectl.conftest import run_reference, run_sim

VALIDATING = ('error: error validating "{f}": error validating data: invalid object to '
              'validate; if you choose to ignore these errors, turn validation off with '
              '--validate=false\n')
DECODING = ('error: unable to decode "{f}": json: cannot unmarshal {t} into Go value of type '
            'unstructured.detector\n')

NGINX = ("upstream Backend { # the upstream's name\n    server backend; # the Service\n}\n\n"
         "server {\n    listen 80;\n    location / {\n        proxy_pass http://Backend;\n"
         "    }\n}\n")
PLAIN = "server {\n        listen 80 default_server;\n        root /usr/share/html;\n}"

# file name -> (text, the JSON type go-yaml's document turns into)
FILES = {
    "site.conf": (NGINX, "string"),
    "plain.conf": (PLAIN, "string"),
    "list.yaml": ("- a\n- b\n", "array"),
    "number.yaml": ("42\n", "number"),
    "flag.yaml": ("true\n", "bool"),
    "words.yaml": ("hello world # greeting\n  more words\n", "string"),
}


@pytest.fixture
def files(tmp_path):
    for name, (text, _) in FILES.items():
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize("verb", ["apply", "create"])
@pytest.mark.parametrize("name", sorted(FILES))
def test_a_document_that_is_no_object_fails_kubectl_s_schema_check(cluster, files, verb, name):
    for validate in ([], ["--validate=strict"], ["--validate=warn"], ["--validate=true"]):
        run = run_sim(cluster, [verb, "-f", name, *validate], str(files))
        assert (run.code, run.stdout, run.stderr) == (1, "", VALIDATING.format(f=name))


@pytest.mark.parametrize("verb", ["apply", "create"])
@pytest.mark.parametrize("name", sorted(FILES))
def test_without_validation_it_fails_decoding_naming_the_json_type(cluster, files, verb, name):
    run = run_sim(cluster, [verb, "-f", name, "--validate=false"], str(files))
    expected = DECODING.format(f=name, t=FILES[name][1])
    assert (run.code, run.stdout, run.stderr) == (1, "", expected)


def test_only_the_first_node_of_each_piece_is_read(cluster, tmp_path):
    """What follows a complete first node is never parsed: a ConfigMap written as a flow
    mapping, then a line that is no YAML at all, still applies (as the real kubectl gets past
    reading it to ask the server for the type)."""
    (tmp_path / "cm.yaml").write_text(
        "{apiVersion: v1, kind: ConfigMap, metadata: {name: site}, data: {a: b}}\n"
        "not: [yaml\n"
        "---\n"
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n")
    run = run_sim(cluster, ["apply", "-f", "cm.yaml"], str(tmp_path))
    assert (run.code, run.stdout, run.stderr) == (0, "configmap/site created\nservice/web created\n", "")
    assert cluster.store.get("configmaps", "default", "site")["data"] == {"a": "b"}


def test_a_real_syntax_error_is_still_go_yaml_s(cluster, tmp_path):
    (tmp_path / "bad.yaml").write_text("a: b\n  c: d\n")
    run = run_sim(cluster, ["apply", "-f", "bad.yaml"], str(tmp_path))
    assert run.code == 1
    assert run.stderr == ("error: error parsing bad.yaml: error converting YAML to JSON: yaml: "
                          "line 2: mapping values are not allowed in this context\n")


@needs_reference
@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("flags", [[], ["--validate=false"]])
def test_same_as_the_real_kubectl(cluster, files, name, flags):
    args = ["apply", "-f", name, *flags]
    ours, theirs = run_sim(cluster, args, str(files)), run_reference(args, str(files))
    assert (ours.code, ours.stdout, ours.stderr) == (theirs.code, theirs.stdout, theirs.stderr)


def test_get_and_describe_report_an_unreadable_file_as_an_aggregate(cluster, files):
    """get (as a table) and describe return the builder's errors as an aggregate: no
    ``error: ``; get with other output reduces it to the error itself; delete prints it
    plainly. A path that does not exist is the builder's own error, prefixed everywhere."""
    bare = DECODING.format(f="plain.conf", t="string").removeprefix("error: ")
    for args, expected in ((["get", "-f", "plain.conf"], bare),
                           (["describe", "-f", "plain.conf"], bare),
                           (["get", "-f", "plain.conf", "-o", "name"], "error: " + bare),
                           (["delete", "-f", "plain.conf"], "error: " + bare),
                           (["get", "-f", "nothing.yaml"],
                            'error: the path "nothing.yaml" does not exist\n')):
        run = run_sim(cluster, args, str(files))
        assert (run.code, run.stdout, run.stderr) == (1, "", expected), args


@needs_reference
@pytest.mark.parametrize("args", [["get", "-f", "plain.conf"], ["describe", "-f", "list.yaml"],
                                  ["get", "-f", "number.yaml", "-o", "yaml"],
                                  ["delete", "-f", "flag.yaml"]])
def test_reading_verbs_as_the_real_kubectl(cluster, files, args):
    ours, theirs = run_sim(cluster, args, str(files)), run_reference(args, str(files))
    assert (ours.code, ours.stdout, ours.stderr) == (theirs.code, theirs.stdout, theirs.stderr)
