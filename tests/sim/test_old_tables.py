"""A page's table from an older kubectl drifts, and its pod names and addresses still
reach the live pods in later commands (bound by column header, not by line)."""

from __future__ import annotations

import textwrap

from tutorial_runner.document import parse_text
from tutorial_runner.engine import run_session
from tutorial_runner.environment import load_environment

PAGE = '''
```{transcript}
$ kubectl create deployment my-nginx --image=nginx --replicas=2
deployment.apps/my-nginx created
$ kubectl rollout status deployment/my-nginx
...
```

```{transcript}
:expect-drift: kubectl 1.5 printed neither NOMINATED NODE nor READINESS GATES
$ kubectl get pods -o wide
NAME                        READY     STATUS    RESTARTS   AGE       IP            NODE
my-nginx-3800858182-jr4a2   1/1       Running   0          13s       10.244.3.4    kubernetes-minion-905m
my-nginx-3800858182-kna2y   1/1       Running   0          13s       10.244.2.5    kubernetes-minion-ljyd
```

```{transcript}
$ kubectl exec my-nginx-3800858182-kna2y -- hostname
my-nginx-3800858182-kna2y
$ kubectl get pod my-nginx-3800858182-jr4a2 -o jsonpath='{.status.podIP}{"\\n"}'
10.244.3.4
```
'''


def test_an_old_table_drifts_and_its_pods_are_still_reached():
    [session] = parse_text(textwrap.dedent(PAGE), "page.md").sessions
    result = run_session(session, load_environment("sim"), cache=None)
    statuses = [block.status for block in result.blocks]
    assert statuses == ["verified", "drift", "verified"], [
        (s.command, s.live, s.note) for b in result.blocks for s in b.steps]
    exec_step = result.blocks[2].steps[0]
    assert exec_step.typed.startswith("kubectl exec my-nginx-") and "3800858182" not in exec_step.typed
