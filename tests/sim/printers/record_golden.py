"""Record the golden files from the reference kubectl: python tests/sim/printers/record_golden.py"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import fixtures  # noqa: E402
from golden_cases import CASES, GOLDEN_DIR, build_objects  # noqa: E402
from reference import cluster  # noqa: E402


def main() -> int:
    GOLDEN_DIR.mkdir(exist_ok=True)
    with fixtures.frozen():
        with cluster(build_objects()) as ref:
            for case, (args, _) in CASES.items():
                result = ref.kubectl(*args)
                if result.code != 0:
                    print(f"{case}: exit {result.code}: {result.stderr}", file=sys.stderr)
                    return 1
                (GOLDEN_DIR / f"{case}.txt").write_text(result.stdout)
    print(f"recorded {len(CASES)} files in {GOLDEN_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
