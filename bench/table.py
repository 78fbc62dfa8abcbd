"""The table ``make bench`` prints: one section per part, then the targets."""

from __future__ import annotations


def _ms(value) -> str:
    return "-" if value is None else f"{value:9.2f}"


def _latency(part: dict) -> None:
    print(f"\n1. Per command through the runner (sandbox: {part['sandbox']}), ms")
    print(f"   {'command':<36} {'total med':>9} {'p95':>9} {'own med':>9} {'p95':>9} {'runner med':>10} {'p95':>9}")
    for group in ("shell", "kubectl"):
        for command, row in part[group]["commands"].items():
            t, o, r = row["total"], row["own"], row["overhead"]
            print(f"   {command[:36]:<36} {_ms(t['median_ms'])} {_ms(t['p95_ms'])} {_ms(o['median_ms'])} "
                  f"{_ms(o['p95_ms'])} {_ms(r['median_ms']):>10} {_ms(r['p95_ms'])}")
    print(f"   kubectl round trip (median of the commands' own medians): "
          f"{part['kubectl_round_trip_median_ms']} ms")


def _prysk(part: dict) -> None:
    print(f"\n2. {part['echo']['commands']} commands: tutorial-runner check vs prysk (s, median)")
    for kind in ("echo", "kubectl"):
        row = part[kind]
        print(f"   {kind:<8} ours {row['ours_no_sandbox']['median_s']:7.3f}  "
              f"ours+sandbox {row['ours_sandbox']['median_s']:7.3f}  "
              f"prysk {row['prysk']['median_s'] if row['prysk']['n'] else '-':>7}  "
              f"ratio {row.get('ratio', '-')}  (with sandbox {row.get('ratio_ours_sandbox', '-')})")
    b = part["breakdown"]
    print(f"   where `check` on {b['commands']} echos spends its time (ms, median, fresh interpreter):")
    for key in ("check_whole", "without_docutils_myst", "interpreter_start", "import_cli", "read_document_first",
                "load_environment", "session", "prysk_empty_run"):
        print(f"     {key:<22} {_ms(b[key]['median_ms'])}")
    print(f"     per command {b['per_command_ms']} ms; imports by package (self ms): "
          + ", ".join(f"{k} {v}" for k, v in b["imports_self_by_package_ms"].items()))


def _doctest(part: dict) -> None:
    print(f"\n3. make doctest over the site ({part['pages']} pages), s (median of {part['cold']['n']})")
    for key in ("cold", "warm", "prose_changed", "transcript_changed"):
        print(f"   {key:<20} {part[key]['median_s']:8.2f}   runs {part[key]['runs_s']}")
    print(f"   changed page: {part['changed_page']}; exit status {part['exit_status']}")


def _scale(part: dict) -> None:
    print("\n4. Simulated cluster at scale (ms, median)")
    keys = ("apply", "get_pods", "get_endpoints", "describe_svc", "apply_unchanged")
    print(f"   {'replicas':>8} {'running':>8} " + " ".join(f"{k:>15}" for k in keys))
    for size in part["sizes"]:
        print(f"   {size['replicas']:>8} {size['running']:>8} "
              + " ".join(f"{size[k]['median_ms']:15.1f}" for k in keys))
    for key in keys:
        steps = ", ".join(f"{s['from']}→{s['to']}: ×{s['time_ratio']}" for s in part["growth"][key])
        print(f"   growth {key:<16} {steps}")


def _large(part: dict) -> None:
    from bench.sim_large import FIGURES

    print("\n4b. The large profile's shape, 100 to 100,000 pods (CPU s of the cluster process)")
    print(f"   {'pods':>8} {'nodes':>6} {'running':>8} {'RSS MiB':>8} " + " ".join(f"{k:>15}" for k in FIGURES))
    for size in part["sizes"]:
        print(f"   {size['pods']:>8} {size['nodes']:>6} {size['running']:>8} {size['max_rss_mib']:>8} "
              + " ".join(f"{size[k]['cpu_s']:15.3f}" for k in FIGURES))
    for key in FIGURES:
        steps = ", ".join(f"{s['from']}→{s['to']}: ×{s['time_ratio']}" for s in part["growth"][key])
        print(f"   growth {key:<27} {steps}")


def _profile(part: dict) -> None:
    print(f"\n5. Hot functions of the cluster at {part['pods']} pods (cProfile, own time share)")
    for label, call in part["calls"].items():
        top = ", ".join(f"{row['function']} {row['share']:.0%}" for row in call["hot"][:4])
        print(f"   {label:<14} {call['seconds_profiled']:6.2f} s: {top}")


def _live(part: dict) -> None:
    print(f"\n6. The live page over its WebSocket (sandbox: {part['sandbox']}), ms")
    for key, label in (("start", "Try it to a prompt"), ("start_under_load", "the same, readers at once"),
                       ("mark", "output end to check mark"), ("round_trip_single", "click to mark, one reader"),
                       ("round_trip_concurrent", f"click to mark, {part['readers']} readers"),
                       ("round_trip_concurrent_no_pause", "the same, no pause between clicks")):
        row = part[key]
        print(f"   {label:<32} median {_ms(row['median_ms'])}  p95 {_ms(row['p95_ms'])}  (n={row['n']})")
    print(f"   p95 with {part['readers']} readers / one reader: {part['p95_ratio']} "
          f"(pausing {part['pause_s']} s on average between clicks; no pause: "
          f"{part['p95_ratio_no_pause']}); checked {part['checked_ok']} and "
          f"{part['checked_ok_no_pause']} of {part['expected_checks']}")


def print_table(results: dict) -> None:
    print(f"load average before: {results['load']['before']}")
    for name, fn in (("latency", _latency), ("prysk", _prysk), ("doctest", _doctest), ("scale", _scale),
                     ("large", _large), ("profile", _profile), ("live", _live)):
        if name in results:
            fn(results[name])
    print("\nTargets")
    for name, t in results["targets"].items():
        verdict = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
        print(f"   {name:<30} {'-' if t['value'] is None else t['value']:>10} {t['unit']:<3} "
              f"(≤ {t['limit']}) {verdict}")
