"""The performance page's charts, drawn as plain SVG from bench/results.json.

    python -m bench.chart [RESULTS]     # writes docs/performance/*.svg

Labels are commands, numbers and both languages' words, so one drawing serves both sites.
"""

from __future__ import annotations

import json
import math
import sys
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "performance"
FONT = "font-family='system-ui, sans-serif' font-size='12'"
OWN, RUNNER, OTHER, PRYSK = "#4c78a8", "#f58518", "#54a24b", "#b279a2"
LINES = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#b279a2"]


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return "\n".join([
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}'>",
        f"<title>{escape(title)}</title>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
        f"<text x='10' y='20' {FONT} font-weight='bold'>{escape(title)}</text>",
        *body, "</svg>", ""])


def _legend(items: list[tuple[str, str]], x: int, y: int) -> list[str]:
    out = []
    for label, colour in items:
        out.append(f"<rect x='{x}' y='{y - 10}' width='12' height='12' fill='{colour}'/>")
        out.append(f"<text x='{x + 16}' y='{y}' {FONT}>{escape(label)}</text>")
        x += 26 + sum(13 if ord(c) > 127 else 7 for c in label)
    return out


def bars(title: str, rows: list[tuple[str, list[tuple[float, str]], str]],
         legend: list[tuple[str, str]], unit: str, label_width: int = 250) -> str:
    """Horizontal stacked bars: each row is (label, [(value, colour)…], text after the bar)."""
    width, bar_area, row_h = 820, 820 - label_width - 170, 22
    top = 48
    longest = max((sum(max(v, 0) for v, _ in segs) for _, segs, _ in rows), default=1) or 1
    body = _legend(legend, 10, 38)
    for i, (label, segments, note) in enumerate(rows):
        y = top + i * row_h
        body.append(f"<text x='{label_width - 6}' y='{y + 14}' text-anchor='end' {FONT}>{escape(label)}</text>")
        x = float(label_width)
        for value, colour in segments:
            w = max(value, 0) / longest * bar_area
            body.append(f"<rect x='{x:.1f}' y='{y + 3}' width='{w:.1f}' height='{row_h - 6}' fill='{colour}'/>")
            x += w
        body.append(f"<text x='{x + 4:.1f}' y='{y + 14}' {FONT}>{escape(note)}</text>")
    height = top + len(rows) * row_h + 20
    body.append(f"<text x='{label_width}' y='{height - 6}' {FONT} fill='#666'>{escape(unit)}</text>")
    return _svg(width, height, body, title)


def loglog(title: str, series: list[tuple[str, list[tuple[float, float]]]], x_label: str,
           y_label: str) -> str:
    """Lines on log-log axes, with a dashed line of linear growth from the first point of
    the first series."""
    width, height, left, right, top, bottom = 820, 390, 70, 200, 52, 50
    xs = [x for _, pts in series for x, _ in pts]
    ys = [y for _, pts in series for _, y in pts if y > 0]
    x0, x1 = math.log10(min(xs)), math.log10(max(xs))
    first = series[0][1]
    linear_end = first[0][1] * max(xs) / first[0][0]
    y0 = math.floor(math.log10(min(ys)))
    y1 = math.ceil(math.log10(max(ys + [linear_end])))

    def px(x: float) -> float:
        return left + (math.log10(x) - x0) / ((x1 - x0) or 1) * (width - left - right)

    def py(y: float) -> float:
        return height - bottom - (math.log10(y) - y0) / ((y1 - y0) or 1) * (height - top - bottom)

    body = [f"<line x1='{left}' y1='{height - bottom}' x2='{width - right}' y2='{height - bottom}' stroke='#333'/>",
            f"<line x1='{left}' y1='{top}' x2='{left}' y2='{height - bottom}' stroke='#333'/>"]
    for e in range(y0, y1 + 1):
        y = py(10 ** e)
        body.append(f"<line x1='{left}' y1='{y:.1f}' x2='{width - right}' y2='{y:.1f}' stroke='#ddd'/>")
        body.append(f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end' {FONT}>{10 ** e:g}</text>")
    for x in sorted(set(xs)):
        body.append(f"<text x='{px(x):.1f}' y='{height - bottom + 16}' text-anchor='middle' {FONT}>{x:,.0f}</text>")
    body.append(f"<text x='{(left + width - right) / 2}' y='{height - 12}' text-anchor='middle' {FONT}>{escape(x_label)}</text>")
    body.append(f"<text x='{left - 6}' y='{top - 14}' text-anchor='end' {FONT}>{escape(y_label)}</text>")
    body.append(f"<line x1='{px(first[0][0]):.1f}' y1='{py(first[0][1]):.1f}' x2='{px(max(xs)):.1f}' "
                f"y2='{py(linear_end):.1f}' stroke='#999' stroke-dasharray='5,4'/>")
    for i, (label, points) in enumerate(series):
        colour = LINES[i % len(LINES)]
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points if y > 0)
        body.append(f"<polyline points='{path}' fill='none' stroke='{colour}' stroke-width='2'/>")
        for x, y in points:
            body.append(f"<circle cx='{px(x):.1f}' cy='{py(y):.1f}' r='3' fill='{colour}'/>")
        body.append(f"<rect x='{width - right + 12}' y='{top + i * 20}' width='12' height='12' fill='{colour}'/>")
        body.append(f"<text x='{width - right + 28}' y='{top + i * 20 + 11}' {FONT}>{escape(label)}</text>")
    n = len(series)
    body.append(f"<line x1='{width - right + 12}' y1='{top + n * 20 + 6}' x2='{width - right + 24}' "
                f"y2='{top + n * 20 + 6}' stroke='#999' stroke-dasharray='5,4'/>")
    body.append(f"<text x='{width - right + 28}' y='{top + n * 20 + 11}' {FONT}>linear / 線形</text>")
    return _svg(width, height, body, title)


def latency_chart(part: dict) -> str:
    rows = []
    for group in ("shell", "kubectl"):
        for command, row in part[group]["commands"].items():
            own = row["own"]["median_ms"] or 0
            runner = row["overhead_of_medians_ms"] or 0
            total = row["total"]["median_ms"]
            rows.append((command, [(own, OWN), (max(runner, 0), RUNNER)],
                         f"{total:.2f} ms (p95 {row['total']['p95_ms']:.2f})"))
    return bars("Per command, median / コマンドごとの中央値", rows,
                [("command itself / コマンド自体", OWN), ("runner / ランナー", RUNNER)], "ms")


def prysk_chart(part: dict) -> str:
    rows = []
    for kind, label in (("echo", "100 × echo"), ("kubectl", "100 × kubectl …")):
        row = part[kind]
        for key, name, colour in (("ours_no_sandbox", "tutorial-runner", RUNNER),
                                  ("ours_sandbox", "tutorial-runner + bwrap", OTHER),
                                  ("prysk", "prysk", PRYSK)):
            value = row[key]["median_s"]
            if value is not None:
                rows.append((f"{label}: {name}", [(value, colour)], f"{value:.2f} s"))
    return bars("100 commands, median / 100 コマンドの中央値", rows, [], "s", label_width=300)


def doctest_chart(part: dict) -> str:
    names = {"cold": "cold / キャッシュなし", "warm": "warm / 変更なし",
             "prose_changed": "one page, prose / 1 ページの本文",
             "transcript_changed": "one page, a transcript / 1 ページのトランスクリプト"}
    rows = [(label, [(part[key]["median_s"], OWN)], f"{part[key]['median_s']:.2f} s")
            for key, label in names.items()]
    return bars("make doctest, whole site / サイト全体", rows, [], "s", label_width=330)


def scale_chart(part: dict) -> str:
    series = []
    for key, label in (("get_pods", "kubectl get pods"), ("get_endpoints", "kubectl get endpoints"),
                       ("describe_svc", "kubectl describe svc"), ("apply", "kubectl apply")):
        series.append((label, [(s["replicas"], s[key]["median_ms"]) for s in part["sizes"]]))
    return loglog("Simulated cluster: time by replicas / レプリカ数と所要時間", series,
                  "replicas / レプリカ数", "ms")


def large_chart(part: dict) -> str:
    series = []
    for key, label in (("create_running", "Deployment → Running"), ("get_pods", "kubectl get pods"),
                       ("get_pods_json", "get pods -o json"), ("scale", "scale +10 %"),
                       ("endpointslices_after_scale", "EndpointSlices")):
        series.append((label, [(s["pods"], s[key]["cpu_s"]) for s in part["sizes"]]))
    return loglog("Large profile: CPU time by pods / Pod 数と CPU 時間", series, "pods / Pod 数", "s")


def write(results: dict, out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, key, fn in (("latency.svg", "latency", latency_chart), ("prysk.svg", "prysk", prysk_chart),
                          ("doctest.svg", "doctest", doctest_chart), ("scale.svg", "scale", scale_chart),
                          ("large.svg", "large", large_chart)):
        if key in results:
            path = out / name
            path.write_text(fn(results[key]), encoding="utf-8")
            written.append(path)
    return written


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "results.json"
    for path in write(json.loads(source.read_text(encoding="utf-8"))):
        print(path)


if __name__ == "__main__":
    main()
