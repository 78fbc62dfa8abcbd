"""`--sort-by`: kubectl's RuntimeSort / TableSorter order over objects."""
from __future__ import annotations

from typing import Any

from .custom_columns import CustomColumnsError, relaxed_jsonpath
from .gofmt import go_type_name
from .jsonpath import JSONPathError, _Evaluator, parse
from .quantity import Quantity


class SortError(Exception):
    """Message as kubectl prints it after `error: `."""


def _first_value(template, obj: dict) -> tuple[bool, Any]:
    groups = _Evaluator(True).find(obj, template.nodes)
    if not groups or not groups[0]:
        return False, None
    return True, groups[0][0]


def _quantity(text: str) -> Quantity | None:
    try:
        return Quantity.parse(text)
    except (ValueError, ArithmeticError):
        return None


def _less(a: Any, b: Any) -> bool:
    """isLess on decoded JSON values: numbers, strings (as quantities when both parse)."""
    if a is None or b is None:
        return a is None and b is not None
    if isinstance(a, bool) or isinstance(b, bool):
        raise SortError("unsortable type: bool")
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and type(a) is type(b):
        return a < b
    if isinstance(a, str) and isinstance(b, str):
        qa, qb = _quantity(a), _quantity(b)
        if qa is not None and qb is not None:
            return qa.value < qb.value
        return a < b
    if isinstance(a, list) and isinstance(b, list):
        for x, y in zip(a, b):
            if not _less(x, y):
                return False
        return True
    raise SortError(f"unsortable type: {go_type_name(a)}")


def sort_objects(objects: list[dict], sort_by: str) -> list[dict]:
    """Objects in `--sort-by` order (the insertion sort Go uses for short lists)."""
    try:
        template = parse(relaxed_jsonpath(sort_by))
    except (JSONPathError, CustomColumnsError) as err:
        raise SortError(f"sorting error: {err}") from None
    values = [_first_value(template, obj) for obj in objects]
    if objects and not any(found for found, _ in values):
        raise SortError(f"couldn't find any field with path \"{relaxed_jsonpath(sort_by)}\" "
                        "in the list of objects")
    order = list(range(len(objects)))

    def less(i: int, j: int) -> bool:
        (found_i, vi), (found_j, vj) = values[order[i]], values[order[j]]
        if not found_i:
            return True
        if not found_j:
            return False
        return _less(vi, vj)

    try:
        for i in range(1, len(order)):
            j = i
            while j > 0 and less(j, j - 1):
                order[j], order[j - 1] = order[j - 1], order[j]
                j -= 1
    except SortError as err:
        field = relaxed_jsonpath(sort_by)
        raise SortError(f"Field {field} in *unstructured.Unstructured is an unsortable type: "
                        f"interface, err: {err}") from None
    return [objects[k] for k in order]
