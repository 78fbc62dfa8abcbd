"""Rows of the controllers: deployments, replica sets, stateful sets, daemon sets, jobs."""
from __future__ import annotations

from datetime import datetime

from .cells_common import age, container_cells, has_condition, meta_of, selector_or_invalid
from .duration import as_utc, format_age, parse_time, translate_timestamp_since
from .selectors import format_label_selector, format_labels


def deployment_cells(d: dict, now: datetime) -> list[str]:
    spec, status = d.get("spec") or {}, d.get("status") or {}
    tspec = (spec.get("template") or {}).get("spec") or {}
    return [meta_of(d).get("name", ""),
            f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
            str(status.get("updatedReplicas", 0)), str(status.get("availableReplicas", 0)),
            age(d, now), *container_cells(tspec), selector_or_invalid(spec.get("selector"))]


def replicaset_cells(rs: dict, now: datetime) -> list[str]:
    spec, status = rs.get("spec") or {}, rs.get("status") or {}
    tspec = (spec.get("template") or {}).get("spec") or {}
    return [meta_of(rs).get("name", ""), str(spec.get("replicas", 0)), str(status.get("replicas", 0)),
            str(status.get("readyReplicas", 0)), age(rs, now), *container_cells(tspec),
            selector_or_invalid(spec.get("selector"))]


def statefulset_cells(ss: dict, now: datetime) -> list[str]:
    spec, status = ss.get("spec") or {}, ss.get("status") or {}
    tspec = (spec.get("template") or {}).get("spec") or {}
    return [meta_of(ss).get("name", ""), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
            age(ss, now), *container_cells(tspec)]


def daemonset_cells(ds: dict, now: datetime) -> list[str]:
    spec, status = ds.get("spec") or {}, ds.get("status") or {}
    tspec = (spec.get("template") or {}).get("spec") or {}
    return [meta_of(ds).get("name", ""), *(str(status.get(k, 0)) for k in (
        "desiredNumberScheduled", "currentNumberScheduled", "numberReady",
        "updatedNumberScheduled", "numberAvailable")),
        format_labels(tspec.get("nodeSelector")), age(ds, now), *container_cells(tspec),
        selector_or_invalid(spec.get("selector"))]


def job_cells(job: dict, now: datetime) -> list[str]:
    spec, status = job.get("spec") or {}, job.get("status") or {}
    succeeded = status.get("succeeded", 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif (spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    length = ""
    if status.get("startTime"):
        end = parse_time(status["completionTime"]) if status.get("completionTime") else as_utc(now)
        length = format_age((end - parse_time(status["startTime"])).total_seconds())
    state = "Running"
    for kind, text in (("Complete", "Complete"), ("Failed", "Failed")):
        if has_condition(job, kind):
            state = text
            break
    else:
        if meta_of(job).get("deletionTimestamp"):
            state = "Terminating"
        else:
            for kind in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
                if has_condition(job, kind):
                    state = kind
                    break
    tspec = (spec.get("template") or {}).get("spec") or {}
    return [meta_of(job).get("name", ""), state, completions, length, age(job, now), *container_cells(tspec),
            format_label_selector(spec.get("selector"))]


def cronjob_cells(cj: dict, now: datetime) -> list[str]:
    spec, status = cj.get("spec") or {}, cj.get("status") or {}
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    tspec = (job_spec.get("template") or {}).get("spec") or {}
    last = status.get("lastScheduleTime")
    suspend = spec.get("suspend")
    return [meta_of(cj).get("name", ""), spec.get("schedule", ""), spec.get("timeZone") or "<none>",
            "<unset>" if suspend is None else ("True" if suspend else "False"),
            str(len(status.get("active") or [])),
            translate_timestamp_since(last, now) if last else "<none>", age(cj, now),
            *container_cells(tspec), format_label_selector(job_spec.get("selector"))]


def replicationcontroller_cells(rc: dict, now: datetime) -> list[str]:
    spec, status = rc.get("spec") or {}, rc.get("status") or {}
    tspec = (spec.get("template") or {}).get("spec") or {}
    return [meta_of(rc).get("name", ""), str(spec.get("replicas", 0)), str(status.get("replicas", 0)),
            str(status.get("readyReplicas", 0)), age(rc, now), *container_cells(tspec),
            format_labels(spec.get("selector"))]
