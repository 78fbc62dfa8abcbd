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
    """Objects in `--sort-by` order, as kubectl's sort.Sort leaves them (equal keys too)."""
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

    def swap(i: int, j: int) -> None:
        order[i], order[j] = order[j], order[i]

    try:
        go_sort(len(order), less, swap)
    except SortError as err:
        field = relaxed_jsonpath(sort_by)
        raise SortError(f"Field {field} in *unstructured.Unstructured is an unsortable type: "
                        f"interface, err: {err}") from None
    return [objects[k] for k in order]


# -- Go's sort.Sort -------------------------------------------------------------------------
# kubectl sorts with sort.Sort, which is not stable: objects with equal keys (events created
# in the same second) come out in the order Go's pattern-defeating quicksort leaves them.
# What follows is that algorithm (Go 1.19+, src/sort), step for step, over less(i, j) and
# swap(i, j) on positions, so equal keys end where kubectl puts them.

def go_sort(n: int, less, swap) -> None:
    if n > 1:
        _pdqsort(less, swap, 0, n, n.bit_length())


def _insertion(less, swap, a: int, b: int) -> None:
    for i in range(a + 1, b):
        j = i
        while j > a and less(j, j - 1):
            swap(j, j - 1)
            j -= 1


def _sift_down(less, swap, lo: int, hi: int, first: int) -> None:
    root = lo
    while True:
        child = 2 * root + 1
        if child >= hi:
            return
        if child + 1 < hi and less(first + child, first + child + 1):
            child += 1
        if not less(first + root, first + child):
            return
        swap(first + root, first + child)
        root = child


def _heap_sort(less, swap, a: int, b: int) -> None:
    first, hi = a, b - a
    for i in range((hi - 1) // 2, -1, -1):
        _sift_down(less, swap, i, hi, first)
    for i in range(hi - 1, -1, -1):
        swap(first, first + i)
        _sift_down(less, swap, 0, i, first)


_INCREASING, _DECREASING, _UNKNOWN = 1, 2, 0


def _pdqsort(less, swap, a: int, b: int, limit: int) -> None:
    balanced, partitioned = True, True
    while True:
        length = b - a
        if length <= 12:
            _insertion(less, swap, a, b)
            return
        if limit == 0:
            _heap_sort(less, swap, a, b)
            return
        if not balanced:
            _break_patterns(swap, a, b)
            limit -= 1
        pivot, hint = _choose_pivot(less, a, b)
        if hint == _DECREASING:
            _reverse(swap, a, b)
            pivot = (b - 1) - (pivot - a)
            hint = _INCREASING
        if balanced and partitioned and hint == _INCREASING and \
                _partial_insertion(less, swap, a, b):
            return
        if a > 0 and not less(a - 1, pivot):
            a = _partition_equal(less, swap, a, b, pivot)
            continue
        mid, partitioned = _partition(less, swap, a, b, pivot)
        left, right = mid - a, b - mid
        threshold = length // 8
        if left < right:
            balanced = left >= threshold
            _pdqsort(less, swap, a, mid, limit)
            a = mid + 1
        else:
            balanced = right >= threshold
            _pdqsort(less, swap, mid + 1, b, limit)
            b = mid


def _partition(less, swap, a: int, b: int, pivot: int) -> tuple[int, bool]:
    swap(a, pivot)
    i, j = a + 1, b - 1
    while i <= j and less(i, a):
        i += 1
    while i <= j and not less(j, a):
        j -= 1
    if i > j:
        swap(j, a)
        return j, True
    swap(i, j)
    i, j = i + 1, j - 1
    while True:
        while i <= j and less(i, a):
            i += 1
        while i <= j and not less(j, a):
            j -= 1
        if i > j:
            break
        swap(i, j)
        i, j = i + 1, j - 1
    swap(j, a)
    return j, False


def _partition_equal(less, swap, a: int, b: int, pivot: int) -> int:
    swap(a, pivot)
    i, j = a + 1, b - 1
    while True:
        while i <= j and not less(a, i):
            i += 1
        while i <= j and less(a, j):
            j -= 1
        if i > j:
            return i
        swap(i, j)
        i, j = i + 1, j - 1


def _partial_insertion(less, swap, a: int, b: int) -> bool:
    i = a + 1
    for _ in range(5):
        while i < b and not less(i, i - 1):
            i += 1
        if i == b:
            return True
        if b - a < 50:
            return False
        swap(i, i - 1)
        if i - a >= 2:
            for j in range(i - 1, 0, -1):
                if not less(j, j - 1):
                    break
                swap(j, j - 1)
        if b - i >= 2:
            for j in range(i + 1, b):
                if not less(j, j - 1):
                    break
                swap(j, j - 1)
    return False


def _break_patterns(swap, a: int, b: int) -> None:
    length = b - a
    if length < 8:
        return
    state = length
    mask = (1 << length.bit_length()) - 1
    for idx in range(a + (length // 4) * 2 - 1, a + (length // 4) * 2 + 2):
        state ^= (state << 13) & 0xFFFFFFFFFFFFFFFF
        state ^= state >> 7
        state ^= (state << 17) & 0xFFFFFFFFFFFFFFFF
        other = state & mask
        if other >= length:
            other -= length
        swap(idx, a + other)


def _choose_pivot(less, a: int, b: int) -> tuple[int, int]:
    length = b - a
    swaps = [0]
    i, j, k = a + length // 4, a + length // 4 * 2, a + length // 4 * 3
    if length >= 8:
        if length >= 50:
            i = _median(less, i - 1, i, i + 1, swaps)
            j = _median(less, j - 1, j, j + 1, swaps)
            k = _median(less, k - 1, k, k + 1, swaps)
        j = _median(less, i, j, k, swaps)
    if swaps[0] == 0:
        return j, _INCREASING
    if swaps[0] == 12:
        return j, _DECREASING
    return j, _UNKNOWN


def _order2(less, a: int, b: int, swaps: list[int]) -> tuple[int, int]:
    if less(b, a):
        swaps[0] += 1
        return b, a
    return a, b


def _median(less, a: int, b: int, c: int, swaps: list[int]) -> int:
    a, b = _order2(less, a, b, swaps)
    b, c = _order2(less, b, c, swaps)
    a, b = _order2(less, a, b, swaps)
    return b


def _reverse(swap, a: int, b: int) -> None:
    i, j = a, b - 1
    while i < j:
        swap(i, j)
        i, j = i + 1, j - 1
