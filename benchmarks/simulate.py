"""Time the portfolio simulator: ``.venv/bin/python benchmarks/simulate.py [--accounts 20000] [--days 90]
[--population FILE]`` — both sides (the default strategy and the bucket baseline) over the same book, with the gate
re-check of every contact made, each side's daily history written (a temporary directory) and the default
strategy's scorecards trained inside the run. Target: 20,000 accounts × 90 days in under 5 minutes on the 2-core
machine."""
from __future__ import annotations

import argparse
import dataclasses
import resource
import time
from pathlib import Path

from concord.strategy import population, simulate

DEFAULT = Path(__file__).resolve().parents[1] / "concord" / "strategy" / "data" / "populations" / "young_online.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--population", default=str(DEFAULT))
    ap.add_argument("--accounts", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--collectors", type=int, default=20)
    ap.add_argument("--calls-per-collector", type=int, default=80)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    pop = dataclasses.replace(population.load(args.population), accounts=args.accounts)
    started = time.perf_counter()
    lines, summary = simulate.run(pop, days=args.days, collectors=args.collectors,
                                  calls_per_collector=args.calls_per_collector, seed=args.seed)
    seconds = time.perf_counter() - started
    contacts = sum(s["attempts"] + s["gate_denials"] for s in summary.values())
    print(f"population {Path(args.population).name}: {args.accounts:,} accounts × {args.days} days, "
          f"{args.collectors} × {args.calls_per_collector} calls a day")
    print(f"simulated both sides in {seconds:.1f} s ({contacts:,} gate requests, each contact made re-checked); "
          f"target < 300 s: {'met' if seconds < 300 else 'NOT met'}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for key, s in summary.items():
        print(f"  {key:9} {s['name']:8} net {s['net_fen'] / 100:>16,.2f} yuan  attempts {s['attempts']:>8,}  "
              f"complaints {s['complaints']:>5}  violations {s['violations']}")


if __name__ == "__main__":
    main()
