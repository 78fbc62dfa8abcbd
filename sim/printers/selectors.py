"""Label and selector strings as apimachinery formats them."""
from __future__ import annotations


def format_labels(labels: dict | None) -> str:
    """labels.FormatLabels: sorted `k=v` joined by commas, `<none>` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def _requirement(key: str, op: str, values: list[str]) -> str:
    vals = sorted(values)
    if op == "In":
        return f"{key} in ({','.join(vals)})"
    if op == "NotIn":
        return f"{key} notin ({','.join(vals)})"
    if op == "Exists":
        return key
    if op == "DoesNotExist":
        return f"!{key}"
    raise ValueError(f"{op!r} is not a valid label selector operator")


def selector_string(selector: dict | None) -> str:
    """metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key."""
    if not selector:
        return ""
    reqs: list[tuple[str, str]] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        reqs.append((key, f"{key}={value}"))
    for expr in selector.get("matchExpressions") or []:
        key = expr.get("key", "")
        reqs.append((key, _requirement(key, expr.get("operator", ""), expr.get("values") or [])))
    reqs.sort(key=lambda r: r[0])
    return ",".join(text for _, text in reqs)


def format_label_selector(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: `<none>` when it selects everything."""
    try:
        text = selector_string(selector)
    except ValueError:
        return "<error>"
    return text or "<none>"
