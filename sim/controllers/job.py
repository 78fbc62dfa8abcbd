"""The Job controller: run the template's pods to the number of completions, then say
the Job completed; count the failures against backoffLimit.

Simplified from the real one: NonIndexed completion only, no activeDeadlineSeconds, no
ttlSecondsAfterFinished, no pod failure policy; a failed pod is replaced at once (the real
controller waits an exponential back-off between replacements)."""
from __future__ import annotations

from ..api.objects import clone, set_condition
from .base import ClusterView, pod_active, pod_ready
from .workloads import owned_pods, pod_from_template


COMPONENT = "job-controller"


def _finished(job: dict) -> bool:
    return any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
               for c in (job.get("status") or {}).get("conditions") or [])


class JobController:
    name = "job"
    watches = ("jobs", "pods")

    def sync(self, cluster: ClusterView):
        for job in cluster.store.list("jobs"):
            if job["metadata"].get("deletionTimestamp") or _finished(job):
                continue
            self._sync_one(cluster, job)
        return None

    def _sync_one(self, cluster: ClusterView, job: dict) -> None:
        spec = job.get("spec") or {}
        pods = owned_pods(cluster, job)
        succeeded = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Succeeded")
        failed = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Failed")
        active = [p for p in pods if pod_active(p)]
        completions = spec.get("completions")
        parallelism = int(spec.get("parallelism", 1) or 0)
        now = cluster.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        status = clone(job.get("status") or {})
        conditions = list(status.get("conditions") or [])
        done = (succeeded >= completions) if completions is not None else \
            (succeeded > 0 and not active)
        over = failed > int(spec.get("backoffLimit", 6))
        if not done and not over and not spec.get("suspend"):
            want = parallelism if completions is None else min(parallelism, completions - succeeded)
            for _ in range(max(0, want - len(active))):
                pod = cluster.store.create(pod_from_template(job, spec.get("template") or {}),
                                           field_validation="Ignore", typed=True)
                active.append(pod)
                cluster.record_event(job, "Normal", "SuccessfulCreate",
                                     f"Created pod: {pod['metadata']['name']}", COMPONENT)
        status.setdefault("startTime", now)
        if done or over:
            # the target condition first, then the final one (as v1.31+ controllers write them)
            target, final, reason, message = (
                ("SuccessCriteriaMet", "Complete", "CompletionsReached",
                 "Reached expected number of succeeded pods") if done else
                ("FailureTarget", "Failed", "BackoffLimitExceeded",
                 "Job has reached the specified backoff limit"))
            for ctype in (target, final):
                set_condition(conditions, ctype, "True", now, reason, message, probe_time=True)
            if done:
                status["completionTime"] = now
                cluster.record_event(job, "Normal", "Completed", "Job completed", COMPONENT)
            else:
                cluster.record_event(job, "Warning", reason, message, COMPONENT)
        if conditions:
            status["conditions"] = conditions
        for key, value in (("active", 0 if done or over else len(active)),
                           ("succeeded", succeeded), ("failed", failed)):
            if value:
                status[key] = value
            else:
                status.pop(key, None)
        status["ready"] = 0 if done or over else sum(1 for p in active if pod_ready(p))
        status["terminating"] = sum(1 for p in pods if p["metadata"].get("deletionTimestamp"))
        status["uncountedTerminatedPods"] = {}
        if job.get("status") != status:
            new = clone(job)
            new["status"] = status
            cluster.store.write(new)
