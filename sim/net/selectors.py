"""Label selectors (matchLabels and matchExpressions) as the API defines them."""

from __future__ import annotations


def matches(selector: dict | None, labels: dict[str, str] | None) -> bool:
    """An empty selector matches everything; a missing one (None) matches nothing."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def matches_map(selector: dict[str, str] | None, labels: dict[str, str] | None) -> bool:
    """A Service-style selector (a plain map); empty or missing selects nothing."""
    if not selector:
        return False
    labels = labels or {}
    return all(labels.get(k) == v for k, v in selector.items())
