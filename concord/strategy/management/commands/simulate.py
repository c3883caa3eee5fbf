"""``concord simulate --population FILE --strategy NAME --baseline bucket --days 90 --collectors N
--calls-per-collector K --seed S [--history DIR] [--json]`` — run a strategy and a baseline over the same synthetic
book through the compliance gate, the promise and plan rules and the end-of-day scoring (docs/strategy.md). Each side
is a coded strategy (``default``, ``bucket``, ``none``: no contact), a stored strategy tree (``tree:CODE`` for its newest version,
``tree:CODE@VERSION``) or a tree document (``--strategy-file`` / ``--baseline-file``). Exit 2 on bad input."""
from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concord.strategy import tree as trees
from concord.strategy.policies import STRATEGIES
from concord.strategy.treepolicy import TreeSpec

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


def _side(flag: str, value: str | None, file: str | None, default: str, bad):
    """A side of the comparison: a coded strategy's name or a :class:`TreeSpec` (from the database or a file)."""
    if file is not None:
        if value is not None:
            raise bad(f"--{flag} and --{flag}-file: give one of them, not both")
        return _tree_file(f"--{flag}-file", file, bad)
    value = default if value is None else value
    if value.startswith("tree:"):
        return _stored(f"--{flag}", value[len("tree:"):], bad)
    if value not in STRATEGIES:
        raise bad(f"--{flag}: unknown strategy {value!r} (one of {', '.join(sorted(STRATEGIES))}, "
                  "or tree:CODE[@VERSION])")
    return value


def _problems(exc) -> str:
    return "; ".join(f"{'tree' if n is None else f'rule {n}'}: {field}: {code}" for n, field, code in exc.problems)


def _stored(flag: str, ref: str, bad) -> TreeSpec:
    from concord.strategy import selectors

    code, _at, version = ref.partition("@")
    number = None
    if _at:
        try:
            number = _positive(version)
        except ValueError as exc:
            raise bad(f"{flag}: version {exc}") from None
    sv = selectors.version(code, number)
    if sv is None:
        stored = selectors.versions(code)
        if not stored:
            raise bad(f"{flag}: no stored strategy {code!r} (stored: {', '.join(selectors.codes()) or 'none'})")
        raise bad(f"{flag}: strategy {code!r} has no version {number} (versions: "
                  f"{', '.join(str(v) for v in stored)})")
    try:
        clean = trees.normalise(sv.tree)
    except trees.TreeError as exc:
        raise bad(f"{flag}: {sv.label}: {_problems(exc)}") from None
    return TreeSpec(f"tree:{code}@{sv.version}", clean)


def _tree_file(flag: str, file: str, bad) -> TreeSpec:
    from concord.strategy import services

    path = Path(file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise bad(f"{flag}: cannot read {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise bad(f"{flag}: {file}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise bad(f"{flag}: {file}: not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    try:
        clean = trees.normalise(data, services.pack_caps())
    except trees.TreeError as exc:
        raise bad(f"{flag}: {file}: {_problems(exc)}") from None
    return TreeSpec(f"file:{path.name}", clean)


class Command(BaseCommand):
    help = "Compare a collection strategy with a baseline on a synthetic population"

    def add_arguments(self, parser):
        parser.add_argument("--population", required=True, help="population file (JSON, docs/strategy.md)")
        parser.add_argument("--strategy", default=None,
                            help="default, bucket, none (no contact), or a stored tree: tree:CODE (newest version) or tree:CODE@VERSION "
                                 "(default: default)")
        parser.add_argument("--strategy-file", default=None, help="a strategy tree document (JSON) as the strategy")
        parser.add_argument("--baseline", default=None, help="as --strategy (default: bucket)")
        parser.add_argument("--baseline-file", default=None, help="a strategy tree document (JSON) as the baseline")
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
        sides = {flag: _side(flag, opts[flag], opts[f"{flag}_file"], default, bad)
                 for flag, default in (("strategy", "default"), ("baseline", "bucket"))}
        try:
            pop = population.load(opts["population"])
        except population.PopulationError as exc:
            raise bad(f"{opts['population']}: {exc}") from None
        history = opts["history"]
        if history is not None:
            target = Path(history)
            if target.exists() and (not target.is_dir() or any(p.name not in ("strategy", "baseline")
                                                               for p in target.iterdir())):
                raise bad(f"--history: {history} must be a new or empty directory (or one this command wrote)")
        gen = simulate.simulate(pop, strategy=sides["strategy"], baseline=sides["baseline"], seed=seed,
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
