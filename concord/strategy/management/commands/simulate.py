"""``concord simulate --population FILE --strategy NAME --baseline bucket --days 90 --collectors N
--calls-per-collector K --seed S [--history DIR] [--json]`` — run a strategy and a baseline over the same synthetic book through the
compliance gate, the promise and plan rules and the end-of-day scoring (docs/strategy.md). Exit 2 on bad input."""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from concord.strategy.policies import STRATEGIES

SUMMARY_LINE = ("recovered_fen", "cost_fen", "net_fen", "attempts", "conversations", "promises", "kept",
                "complaints", "gate_denials", "violations")


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"not a whole number: {value!r}") from None
    if n < 1:
        raise ValueError(f"must be at least 1, not {n}")
    return n


class Command(BaseCommand):
    help = "Compare a collection strategy with a baseline on a synthetic population"

    def add_arguments(self, parser):
        parser.add_argument("--population", required=True, help="population file (JSON, docs/strategy.md)")
        parser.add_argument("--strategy", default="default")
        parser.add_argument("--baseline", default="bucket")
        parser.add_argument("--days", default="90")
        parser.add_argument("--collectors", default="20")
        parser.add_argument("--calls-per-collector", default="80")
        parser.add_argument("--seed", default="7")
        parser.add_argument("--history", default=None,
                            help="write each side's simulated days as a daily history under DIR/strategy and "
                                 "DIR/baseline (default: a temporary directory, removed at the end)")
        parser.add_argument("--json", action="store_true", help="one JSON line per day, then the summary")

    def handle(self, *args, **opts):
        from concord.strategy import population, simulate

        def bad(message):
            return CommandError(message, returncode=2)

        numbers = {}
        for name in ("days", "collectors", "calls_per_collector"):
            try:
                numbers[name] = _positive(opts[name])
            except ValueError as exc:
                raise bad(f"--{name.replace('_', '-')}: {exc}") from None
        try:
            seed = int(opts["seed"])
        except ValueError:
            raise bad(f"--seed: not a whole number: {opts['seed']!r}") from None
        if numbers["days"] > 3650:
            raise bad("--days: at most 3650")
        for flag in ("strategy", "baseline"):
            if opts[flag] not in STRATEGIES:
                raise bad(f"--{flag}: unknown strategy {opts[flag]!r} (one of {', '.join(sorted(STRATEGIES))})")
        try:
            pop = population.load(opts["population"])
        except population.PopulationError as exc:
            raise bad(f"{opts['population']}: {exc}") from None
        history = opts["history"]
        if history is not None:
            from pathlib import Path

            target = Path(history)
            if target.exists() and (not target.is_dir() or any(p.name not in ("strategy", "baseline")
                                                               for p in target.iterdir())):
                raise bad(f"--history: {history} must be a new or empty directory (or one this command wrote)")
        gen = simulate.simulate(pop, strategy=opts["strategy"], baseline=opts["baseline"], seed=seed,
                                history=history, **numbers)
        while True:
            try:
                line = next(gen)
            except StopIteration as stop:
                summary = stop.value
                break
            if opts["json"]:
                self.stdout.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
        if opts["json"]:
            self.stdout.write(json.dumps({"summary": summary}, ensure_ascii=False, separators=(",", ":")))
            return
        s, b = summary["strategy"], summary["baseline"]
        self.stdout.write(f"{'':16}{s['name']:>16}{b['name']:>16}")
        for key in SUMMARY_LINE:
            self.stdout.write(f"{key:16}{s[key]:>16,}{b[key]:>16,}")
        if b["net_fen"]:
            self.stdout.write(f"net vs baseline  {100 * (s['net_fen'] - b['net_fen']) / abs(b['net_fen']):+.1f}%")
