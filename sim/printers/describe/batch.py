"""describe for jobs and cron jobs."""
from __future__ import annotations

from datetime import datetime

from ..duration import format_age, parse_time
from .pod import describe_pod_template
from .writer import (Lookup, Writer, annotations_multiline, controller_of, events, find_events,
                     labels_multiline, rfc1123z, object_header)
from ..selectors import selector_string


def _go_bool(value: bool) -> str:
    return "true" if value else "false"


def _indexes(indexes: str, limit: int = 50) -> str:
    if not indexes:
        return "<none>"
    cut = indexes.find(",", limit)
    return indexes if cut == -1 else indexes[:cut + 1] + "..."


def describe_job(job: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta, spec, status = job.get("metadata") or {}, job.get("spec") or {}, job.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    owner = controller_of(job)
    if owner:
        w.write(0, f"Controlled By:\t{owner.get('kind', '')}/{owner.get('name', '')}\n")
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{spec['parallelism']}\n")
    w.write(0, f"Completions:\t{spec['completions'] if spec.get('completions') is not None else '<unset>'}\n")
    if spec.get("completionMode") is not None:
        w.write(0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(0, f"Suspend:\t{_go_bool(spec['suspend'])}\n")
    if spec.get("backoffLimit") is not None:
        w.write(0, f"Backoff Limit:\t{spec['backoffLimit']}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        w.write(0, f"TTL Seconds After Finished:\t{spec['ttlSecondsAfterFinished']}\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    if status.get("completionTime"):
        w.write(0, f"Completed At:\t{rfc1123z(status['completionTime'])}\n")
    if status.get("startTime") and status.get("completionTime"):
        took = (parse_time(status["completionTime"]) - parse_time(status["startTime"])).total_seconds()
        w.write(0, f"Duration:\t{format_age(took)}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    counts = f"{status.get('succeeded', 0)} Succeeded / {status.get('failed', 0)} Failed"
    if status.get("ready") is None:
        w.write(0, f"Pods Statuses:\t{status.get('active', 0)} Active / {counts}\n")
    else:
        w.write(0, f"Pods Statuses:\t{status.get('active', 0)} Active ({status['ready']} Ready) / {counts}\n")
    if spec.get("completionMode") == "Indexed":
        w.write(0, f"Completed Indexes:\t{_indexes(status.get('completedIndexes', ''))}\n")
    describe_pod_template(w, spec.get("template"))
    if show_events:
        events(w, find_events(job, lookup), now)
    return w.text()


def _or_unset(value: object, suffix: str = "") -> str:
    return "<unset>" if value is None else f"{value}{suffix}"


def describe_cronjob(cj: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta, spec, status = cj.get("metadata") or {}, cj.get("spec") or {}, cj.get("status") or {}
    w = Writer()
    object_header(w, meta)
    w.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    suspend = spec.get("suspend")
    w.write(0, f"Suspend:\t{'<unset>' if suspend is None else ('True' if suspend else 'False')}\n")
    w.write(0, f"Successful Job History Limit:\t{_or_unset(spec.get('successfulJobsHistoryLimit'))}\n")
    w.write(0, f"Failed Job History Limit:\t{_or_unset(spec.get('failedJobsHistoryLimit'))}\n")
    w.write(0, f"Starting Deadline Seconds:\t{_or_unset(spec.get('startingDeadlineSeconds'), 's')}\n")
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    selector = job_spec.get("selector")
    w.write(0, f"Selector:\t{selector_string(selector) if selector is not None else '<unset>'}\n")
    w.write(0, f"Parallelism:\t{_or_unset(job_spec.get('parallelism'))}\n")
    w.write(0, f"Completions:\t{_or_unset(job_spec.get('completions'))}\n")
    if job_spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{job_spec['activeDeadlineSeconds']}s\n")
    describe_pod_template(w, job_spec.get("template"))
    last = status.get("lastScheduleTime")
    w.write(0, f"Last Schedule Time:\t{rfc1123z(last) if last else '<unset>'}\n")
    w.write(0, "Active Jobs:\t")
    active = status.get("active") or []
    w.line(", ".join(ref.get("name", "") for ref in active) if active else "<none>")
    if show_events:
        events(w, find_events(cj, lookup), now)
    return w.text()
