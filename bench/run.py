"""Run every ``bench/bench_*.py`` (or the ones named) and print one table.

Usage: python -m bench.run [topic ...]
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from bench.common import Result, setup_django


def _modules(wanted: list[str]) -> list[str]:
    names = sorted(
        m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    if wanted:
        names = [n for n in names if n.removeprefix("bench_") in wanted or n in wanted]
    return names


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"


def print_table(results: list[Result]) -> None:
    header = ("benchmark", "measure", "value", "unit", "baseline", "base value", "ratio",
              "target", "met")
    rows = [
        (r.benchmark, r.measure, _fmt(r.value), r.unit, r.baseline, _fmt(r.baseline_value),
         _fmt(r.ratio), r.target, {True: "yes", False: "NO", None: "-"}[r.met])
        for r in results
    ]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*header))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))


def main(argv: list[str]) -> int:
    setup_django()
    results: list[Result] = []
    names = _modules(argv)
    if not names:
        print("No benchmarks matched.")
        return 1
    for name in names:
        print(f"running {name} ...", flush=True)
        module = importlib.import_module(f"bench.{name}")
        results.extend(module.run())
    print()
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
