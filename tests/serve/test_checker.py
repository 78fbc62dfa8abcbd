"""The live checker: which page command a finished command was, and how its output matched."""
from __future__ import annotations

from pathlib import Path

from tutorial_runner.document import parse_text
from tutorial_runner.live.checker import DRIFT, FAILED, OK, LiveChecker, page_inputs

PAGE = '''
```{tutorial-file} app.yaml
kind: Deployment
```

```{transcript}
# comment before a command
$ kubectl get svc web
NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE
web    ClusterIP   192.0.2.10   <none>        80/TCP    5s
$ curl -s 192.0.2.10 \\
> | head -1
hello
```

```{tutorial-file} app.yaml
kind: Deployment
metadata: {name: second}
```

```{transcript}
:expect-drift: older output
$ kubectl version
v1.18
```

```{transcript}
:skip: needs a cloud account
$ gcloud compute list
```

```{transcript}
node $ cat /etc/hostname
node-1
```
'''


def _session():
    return parse_text(PAGE, Path("page.md")).sessions[0]


def _checker():
    return LiveChecker(_session(), {"node $ ": ["sim-node", "sh", "-c"]})


def test_the_page_inputs_in_order_with_continuations_and_expected_output():
    inputs = page_inputs(_session(), {"node $ ": ["sim-node", "sh", "-c"]})
    assert [(e.block, e.index, e.documented) for e in inputs] == [
        (1, 1, ("kubectl get svc web",)),
        (1, 4, ("curl -s 192.0.2.10 \\", "| head -1")),
        (3, 0, ("kubectl version",)),
        (5, 0, ("cat /etc/hostname",)),
    ]
    assert inputs[0].expected == (
        "NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE",
        "web    ClusterIP   192.0.2.10   <none>        80/TCP    5s")
    assert inputs[1].expected == ("hello",)
    assert inputs[3].prefix == ("sim-node", "sh", "-c")


def test_a_command_counts_once_typed_as_check_would_type_it_with_live_values():
    checker = _checker()
    assert checker.claim("kubectl get svc web") == 0
    assert checker.claim("kubectl get svc web   ") == 0
    assert checker.claim("kubectl get svc") is None          # the reader's own
    result = checker.check(0, [
        "NAME   TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE",
        "web    ClusterIP   10.96.44.7     <none>        80/TCP    1s"])
    assert result.status == OK and result.diff == []
    assert result.bound == {"192.0.2.10": "10.96.44.7"}
    # the next command is the documented one with the live address in it
    assert checker.typed(1) == "curl -s 10.96.44.7 \\\n| head -1"
    assert checker.claim("curl -s 192.0.2.10 \\\n| head -1") is None
    assert checker.claim("curl -s 10.96.44.7 \\\n| head -1") == 1


def test_a_clicked_command_is_claimed_even_when_it_is_not_the_next():
    checker = _checker()
    assert checker.claim("kubectl version") is None
    assert checker.claim("kubectl version", clicked=2) == 2
    # a click that does not match what ran does not claim it
    assert checker.claim("kubectl get nodes", clicked=2) is None


def test_a_mismatch_gives_the_diff_and_keeps_the_bindings_it_learned():
    checker = _checker()
    checker.check(0, ["NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE",
                      "web    ClusterIP   10.96.0.12   <none>        80/TCP    1s"])
    result = checker.check(1, ["goodbye"])
    assert result.status == FAILED
    assert "-hello" in result.diff and "+goodbye" in result.diff
    assert result.bindings == {"192.0.2.10": "10.96.0.12"}
    assert checker.cursor == 2


def test_a_block_that_announces_drift_says_drift_not_failure():
    checker = _checker()
    assert checker.check(2, ["v1.35.2"]).status == DRIFT
    assert checker.check(2, ["v1.18"]).status == OK


def test_a_prompted_line_is_typed_through_the_environment_s_prefix():
    checker = _checker()
    assert checker.typed(3) == "sim-node sh -c 'cat /etc/hostname'"
    assert checker.claim("sim-node sh -c 'cat /etc/hostname'", clicked=3) == 3


def test_files_are_written_as_the_page_reaches_them():
    checker = _checker()
    first = checker.files_due()
    assert [b.text for b in first] == ["kind: Deployment"]
    assert checker.files_due() == []          # written once
    checker.check(0, [])
    checker.check(1, [])
    second = checker.files_due()              # the next input is in block 3: past block 2
    assert [b.text for b in second] == ["kind: Deployment\nmetadata: {name: second}"]


def test_run_the_rest_starts_at_the_first_command_not_run_yet():
    checker = _checker()
    assert checker.rest_of(1) == [0, 1]
    checker.check(0, [])
    assert checker.rest_of(1) == [1]
    checker.check(1, [])
    assert checker.rest_of(1) == [0, 1]       # all run: the whole block again
    assert checker.rest_of(4) == []           # a skipped block has nothing to run


def test_a_command_continued_with_backslashes_is_the_one_line_bash_keeps():
    checker = _checker()
    checker.check(0, ["NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE",
                      "web    ClusterIP   10.96.0.12   <none>        80/TCP    1s"])
    # bash's history holds `curl -s 10.96.0.12 | head -1` for the two lines typed
    assert checker.claim("curl -s 10.96.0.12 | head -1") == 1
    assert checker.claim("curl -s 192.0.2.10 | head -1") is None
