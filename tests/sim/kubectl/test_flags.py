"""pflag's parsing rules as kubectl's commands rely on them."""

from __future__ import annotations

import pytest

from sim.kubectl.errors import UsageError
from sim.kubectl.flags import ARRAY, BOOL, INT, SLICE, FlagSet, f

FS = FlagSet((f("output", "o"), f("stdin", "i", BOOL), f("tty", "t", BOOL),
              f("replicas", kind=INT, default=1), f("from-file", kind=SLICE),
              f("env", kind=ARRAY), f("dry-run", default="none", no_value="unchanged")))


def test_values_equal_sign_and_separate_and_global_namespace_anywhere():
    p = FS.parse(["pods", "-o", "wide", "--replicas=3", "x", "-nkube-system"])
    assert p.args == ["pods", "x"]
    assert (p["output"], p["replicas"], p["namespace"]) == ("wide", 3, "kube-system")
    assert p.changed("replicas") and not p.changed("stdin")


def test_short_cluster_of_bools_and_attached_value():
    p = FS.parse(["-it", "-owide"])
    assert p["stdin"] and p["tty"] and p["output"] == "wide"
    p = FS.parse(["-i=false", "-o=json"])
    assert p["stdin"] is False and p["output"] == "json"


def test_double_dash_keeps_the_rest_as_arguments():
    p = FS.parse(["pod", "-i", "--", "sh", "-c", "echo -o"])
    assert p.args == ["pod", "sh", "-c", "echo -o"]
    assert p.dash_at == 1 and p.after_dash == ["sh", "-c", "echo -o"]
    assert p.before_dash == ["pod"]
    assert FS.parse(["pod"]).dash_at == -1


def test_slices_split_on_commas_arrays_do_not_and_both_accumulate():
    p = FS.parse(["--from-file=a,b", "--from-file", "c", "--env=A=1,2", "--env", "B=2"])
    assert p["from-file"] == ["a", "b", "c"]
    assert p["env"] == ["A=1,2", "B=2"]


def test_flag_with_optional_value():
    assert FS.parse(["--dry-run"])["dry-run"] == "unchanged"
    assert FS.parse(["--dry-run=client"])["dry-run"] == "client"
    assert FS.parse(["--dry-run", "client"]).args == ["client"]


@pytest.mark.parametrize("argv, message", [
    (["--foo"], "unknown flag: --foo"),
    (["-x"], "unknown shorthand flag: 'x' in -x"),
    (["-ix"], "unknown shorthand flag: 'x' in -ix"),
    (["-o"], "flag needs an argument: 'o' in -o"),
    (["--output"], "flag needs an argument: --output"),
    (["--replicas=abc"], 'invalid argument "abc" for "--replicas" flag: strconv.ParseInt: '
                         'parsing "abc": invalid syntax'),
    (["--stdin=maybe"], 'invalid argument "maybe" for "--stdin" flag: strconv.ParseBool: '
                        'parsing "maybe": invalid syntax'),
])
def test_errors_carry_pflag_texts(argv, message):
    with pytest.raises(UsageError) as e:
        FS.parse(argv)
    assert e.value.message == message
