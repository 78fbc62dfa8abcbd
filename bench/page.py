"""The figures of docs/performance.md, rewritten from bench/results.json.

    python -m bench.page [RESULTS]

The page's prose is written by hand; each table sits between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->`` and is replaced whole. Row labels stay the same from run to run
(so their translations hold); only the figures change.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "performance.md"


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _ms(value) -> str:
    return "–" if value is None else f"{value:.2f} ms"


def _s(value) -> str:
    return "–" if value is None else f"{value:.2f} s"


def conditions(results: dict) -> str:
    load = results["load"]["before"]
    lat = results.get("latency", {})
    return _table(["項目", "値"], [
        ["計測の開始（UTC）", results["started"]],
        ["CPU コア数", str(load["cpus"])],
        ["計測前の負荷平均（1 分 / 5 分 / 15 分）", f"{load['1m']} / {load['5m']} / {load['15m']}"],
        ["Python", results["machine"]["python"]],
        ["サンドボックス", f"`{lat.get('sandbox', '–')}`"],
    ])


def latency(part: dict) -> str:
    rows = []
    for group in ("shell", "kubectl"):
        for command, row in part[group]["commands"].items():
            rows.append([f"`{command}`", _ms(row["total"]["median_ms"]), _ms(row["total"]["p95_ms"]),
                         _ms(row["own"]["median_ms"]), _ms(row["own"]["p95_ms"]),
                         _ms(row["overhead_of_medians_ms"])])
    return _table(["コマンド", "全体の中央値", "全体の p95", "コマンド自体の中央値",
                   "コマンド自体の p95", "ランナーの分"], rows)


def prysk(part: dict) -> str:
    rows = []
    for kind, label in (("echo", "`echo` を 100 回"), ("kubectl", "kubectl などのコマンド 100 個")):
        row = part[kind]
        rows.append([label, _s(row["ours_no_sandbox"]["median_s"]), _s(row["ours_sandbox"]["median_s"]),
                     _s(row["prysk"]["median_s"]), f"{row.get('ratio', 0):.2f}",
                     f"{row.get('ratio_ours_sandbox', 0):.2f}"])
    return _table(["トランスクリプト", "tutorial-runner", "tutorial-runner（サンドボックスあり）",
                   "prysk", "比", "比（サンドボックスあり）"], rows)


def breakdown(part: dict) -> str:
    b = part["breakdown"]
    rows = [[label, _ms(b[key]["median_ms"])] for key, label in (
        ("check_whole", "`tutorial-runner check` 全体"),
        ("without_docutils_myst", "同じセッションを docutils と myst-parser なしで（参考）"),
        ("interpreter_start", "Python の起動"),
        ("import_cli", "ランナーの import"),
        ("read_document_first", "文書の読み込み（myst-parser の import を含む）"),
        ("load_environment", "環境の読み込み"),
        ("session", "セッション（bash の起動、コマンド、終了）"),
        ("prysk_empty_run", "prysk（空のテスト）"))]
    packages = ", ".join(f"{k} {v:.0f}" for k, v in list(b["imports_self_by_package_ms"].items())[:6])
    rows.append(["import の内訳（パッケージごと、ms）", packages])
    return _table(["内訳", "中央値"], rows)


def doctest(part: dict) -> str:
    rows = [[label, _s(part[key]["median_s"]), " / ".join(f"{v:.2f}" for v in part[key]["runs_s"])]
            for key, label in (("cold", "キャッシュなし"), ("warm", "変更なし"),
                               ("prose_changed", "1 ページの本文を変更"),
                               ("transcript_changed", "1 ページのトランスクリプトを変更"))]
    return _table(["場合", "中央値", "各回（秒）"], rows)


_SCALE_KEYS = (("apply", "`kubectl apply`"), ("get_pods", "`kubectl get pods`"),
               ("get_endpoints", "`kubectl get endpoints`"), ("describe_svc", "`kubectl describe svc`"),
               ("apply_unchanged", "`kubectl apply`（変更なし）"))


def scale(part: dict) -> str:
    sizes = part["sizes"]
    head = ["コマンド"] + [f"{s['replicas']:,}" for s in sizes]
    rows = [[label] + [_ms(s[key]["median_ms"]) for s in sizes] for key, label in _SCALE_KEYS]
    return _table(head, rows)


def growth(part: dict) -> str:
    steps = part["growth"]["get_pods"]
    head = ["コマンド"] + [f"{s['from']:,} → {s['to']:,}" for s in steps]
    rows = [[label] + [f"×{s['time_ratio']}" for s in part["growth"][key]] for key, label in _SCALE_KEYS]
    return _table(head, rows)


_LARGE_KEYS = (("create_running", "Deployment を作ってすべての Pod が Running になるまで"),
               ("get_pods", "`kubectl get pods`"), ("get_pods_json", "`kubectl get pods -o json`"),
               ("scale", "10 % のスケールアウト（新しい Pod が Running になるまで）"),
               ("endpointslices_after_scale", "スケールアウト後の EndpointSlice の更新"))


def large(part: dict) -> str:
    sizes = part["sizes"]
    head = ["測ったもの"] + [f"{s['pods']:,}" for s in sizes]
    rows = [["ノード数"] + [f"{s['nodes']:,}" for s in sizes]]
    rows += [[label] + [f"{s[key]['cpu_s']:.3f} s（{s[key]['wall_s']:.3f} s）" for s in sizes]
             for key, label in _LARGE_KEYS]
    rows.append(["最大常駐メモリ"] + [f"{s['max_rss_mib']:,.0f} MiB" for s in sizes])
    rows.append(["Pod あたりのメモリ"] + [f"{s['rss_kib_per_pod']:,.1f} KiB" for s in sizes])
    return _table(head, rows)


def large_growth(part: dict) -> str:
    steps = part["growth"]["get_pods"]
    head = ["測ったもの"] + [f"{s['from']:,} → {s['to']:,}" for s in steps]
    rows = [[label] + [f"×{s['time_ratio']}（×{s['wall_ratio']}）" for s in part["growth"][key]]
            for key, label in _LARGE_KEYS]
    return _table(head, rows)


def profile(part: dict) -> str:
    rows = []
    for label, call in part["calls"].items():
        own_code = [row for row in call["hot"] if "(~:0)" not in row["function"]][:4]
        top = "; ".join(f"`{row['function']}` {row['share']:.0%}" for row in own_code)
        rows.append([f"`kubectl {label}`", _s(call["seconds_profiled"]), top])
    return _table(["コマンド", "プロファイラー下の時間", "自身の時間が長い関数（割合）"], rows)


_TARGETS = {
    "kubectl_round_trip_median": "kubectl の往復時間（中央値）",
    "runner_vs_prysk_echo": "prysk との比（`echo` 100 回）",
    "runner_vs_prysk_kubectl": "prysk との比（kubectl など 100 個）",
    "doctest_cold": "`make doctest` キャッシュなし",
    "doctest_warm": "`make doctest` 変更なし",
    "get_pods_10000": "10,000 Pod で `kubectl get pods`",
    "get_pods_growth_over_linear": "`kubectl get pods` の伸び（線形に対する比）",
    "large_growth_create_running": "Pod 数 10 倍あたりの伸び: Deployment から Running まで",
    "large_growth_get_pods": "Pod 数 10 倍あたりの伸び: `kubectl get pods`",
    "large_growth_get_pods_json": "Pod 数 10 倍あたりの伸び: `kubectl get pods -o json`",
    "large_growth_scale": "Pod 数 10 倍あたりの伸び: 10 % のスケールアウト",
    "large_growth_endpointslices_after_scale": "Pod 数 10 倍あたりの伸び: EndpointSlice の更新",
    "large_100000_running": "100,000 Pod の Deployment が Running になるまで",
    "large_100000_get_pods": "100,000 Pod で `kubectl get pods`",
    "large_100000_rss": "100,000 Pod のクラスターのプロセスの常駐メモリ",
    "test_suite_parallel": "`make test` のテストスイート（並列）",
    "kubectl_differential": "本物の kubectl と出力が異なるコマンドの割合",
    "real_kubectl_get_over_client": "本物の kubectl の `get pods` と `version --client` の比",
    "watch_event_median": "書き込みから watch のイベントまで（中央値）",
    "live_start_p95": "ライブページ:「試してみる」からプロンプトまで（p95）",
    "live_mark_p95": "ライブページ: 出力の終わりからチェックマークまで（p95）",
    "live_10_readers_p95_over_one": "ライブページ: 10 人同時と 1 人の往復時間の比（p95）",
    "live_commands_not_checked": "ライブページ: 10 人同時で照合されなかったコマンド",
}


def suite(part: dict) -> str:
    rows = []
    for key, label in (("parallel", f"並列（`-n auto`、{part['cores']} コア）"), ("serial", "直列")):
        run = part[key]
        rows.append([label, f"{run['seconds']:.0f} s", f"{run['passed']:,}", str(run["failed"]),
                     str(run["skipped"])])
    return _table(["実行", "時間", "成功", "失敗", "スキップ"], rows)


def differential(part: dict) -> str:
    rows = [[f"`{verb}`", str(v["commands"]), str(v["identical"]),
             f"{v['identical'] / v['commands']:.0%}"]
            for verb, v in sorted(part["by_verb"].items(), key=lambda kv: (-kv[1]["commands"], kv[0]))]
    rows.append(["合計", str(part["commands"]), str(part["identical"]), f"{part['share']:.1%}"])
    table = _table(["動詞", "コマンド", "同じ出力", "割合"], rows)
    where = "\n".join(f"- `{d['where']}`: `{d['command'].splitlines()[0]}`"
                      for d in part["differences"])
    return table + ("\n\n" + where if where else "")


def api(part: dict) -> str:
    rows = [["`kubectl version --client`（サーバーなし）", part["kubectl_version_client"]],
            ["`kubectl get pods -A`（探索キャッシュあり）", part["kubectl_get_pods"]],
            ["`kubectl get pods -A`（探索キャッシュなし）", part["kubectl_get_pods_cold"]],
            ["書き込みから watch のイベントまで", part["watch_event"]]]
    return _table(["測ったもの", "中央値", "p95"],
                  [[label, _ms(s["median_ms"]), _ms(s["p95_ms"])] for label, s in rows])


def live(part: dict) -> str:
    n = part["readers"]
    rows = [["「試してみる」からプロンプトまで（1 人）", part["start"]],
            [f"「試してみる」からプロンプトまで（{n} 人同時）", part["start_under_load"]],
            ["コマンドの出力の終わりからチェックマークまで", part["mark"]],
            ["コマンドのクリックからチェックマークまで（1 人）", part["round_trip_single"]],
            [f"コマンドのクリックからチェックマークまで（{n} 人同時）", part["round_trip_concurrent"]],
            [f"同上、クリックの間に間を置かない場合（{n} 人同時）", part["round_trip_concurrent_no_pause"]]]
    times = _table(["測ったもの", "中央値", "p95", "回数"],
                   [[label, _ms(s["median_ms"]), _ms(s["p95_ms"]), str(s["n"])] for label, s in rows])
    checked = f"{part['checked_ok']} / {part['expected_checks']}"
    flooded = f"{part['checked_ok_no_pause']} / {part['expected_checks']}"
    ratios = _table(["比べたもの", "値"], [
        [f"{n} 人同時と 1 人の往復時間の p95 の比", f"{part['p95_ratio']}×"],
        ["同上、クリックの間に間を置かない場合", f"{part['p95_ratio_no_pause']}×"],
        [f"照合されたコマンド（{n} 人同時）", checked],
        ["同上、クリックの間に間を置かない場合", flooded]])
    return times + "\n\n" + ratios


def targets(results: dict) -> str:
    rows = []
    for key, label in _TARGETS.items():
        t = results["targets"].get(key)
        if t is None:
            continue
        unit = "×" if t["unit"] == "x" else (f" {t['unit']}" if t["unit"] else "")
        value = "–" if t["value"] is None else f"{t['value']}{unit}"
        verdict = {True: "達成", False: "未達", None: "未計測"}[t["met"]]
        rows.append([label, f"≤ {t['limit']}{unit}", value, verdict])
    return _table(["目標", "上限", "結果", "判定"], rows)


SECTIONS = {   # name: (the part of the results it needs, None: the whole; table)
    "conditions": (None, conditions),
    "latency": ("latency", latency),
    "prysk": ("prysk", prysk),
    "breakdown": ("prysk", breakdown),
    "doctest": ("doctest", doctest),
    "scale": ("scale", scale),
    "growth": ("scale", growth),
    "large": ("large", large),
    "large_growth": ("large", large_growth),
    "profile": ("profile", profile),
    "suite": ("suite", suite),
    "differential": ("differential", differential),
    "api": ("api", api),
    "live": ("live", live),
    "targets": (None, targets),
}


def render(text: str, results: dict) -> str:
    """``text`` with each marked table redrawn; a part the results lack keeps its table."""
    for name, (key, table) in SECTIONS.items():
        if key is not None and key not in results:
            continue
        fn = (lambda r, t=table, k=key: t(r[k])) if key else table
        pattern = re.compile(rf"(<!-- bench:{name} -->\n).*?(<!-- /bench:{name} -->)", re.S)
        text = pattern.sub(lambda m: m.group(1) + "\n" + fn(results) + "\n\n" + m.group(2), text)
    return text


def write(results: dict, page: Path = PAGE) -> None:
    page.write_text(render(page.read_text(encoding="utf-8"), results), encoding="utf-8")


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "results.json"
    write(json.loads(source.read_text(encoding="utf-8")))


if __name__ == "__main__":
    main()
