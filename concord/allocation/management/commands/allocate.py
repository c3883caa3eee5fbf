"""``concord allocate [--dry-run] [--json] [--user NAME]`` — run the current allocation rules (分案规则) over the
active cases. Without ``--dry-run`` the moves are written (one transaction per 2,000 moves, each an assignment naming
the rule set's version and the rule, one audit event per case). With ``--json`` one JSON object per line for each
move ``{"case", "from", "to", "rule", "reason"}`` and a last line ``{"summary": {"moved", "unassigned", "by_team"}}``."""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Allocate cases by the current allocation rules (分案)"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="show the moves, write nothing")
        parser.add_argument("--json", action="store_true", help="one JSON object per move, then the summary")
        parser.add_argument("--user", help="the user the moves are recorded as (default: system)")

    def handle(self, *args, **opts):
        from django.core.exceptions import ValidationError

        from concord.allocation import selectors, services
        from concord.allocation.models import RunKind
        from concord.cases.models import Case
        from concord.staff.models import User

        actor = None
        if opts["user"]:
            actor = User.objects.filter(username=opts["user"]).first()
            if actor is None:
                raise CommandError(f"--user: no user {opts['user']!r}")
        rule_set = selectors.current_rule_set()
        if rule_set is None:
            raise CommandError("no allocation rules yet: a manager writes them on /allocation/")
        p = services.plan(rule_set)
        teams, users = selectors.team_names(), selectors.user_names()
        refs = dict(Case.objects.filter(pk__in=[m.case_id for m in p.moves]).values_list("id", "reference")) \
            if len(p.moves) <= 200_000 else {}

        def side(team, collector):
            return {"team": teams.get(team) if team else None, "collector": users.get(collector) if collector else None}

        if opts["json"]:
            for m in p.moves:
                self.stdout.write(json.dumps({"case": refs.get(m.case_id, m.case_id), "from": side(m.from_team,
                                                                                                m.from_collector),
                                              "to": side(m.to_team, m.to_collector), "rule": m.rule,
                                              "reason": m.reason}, ensure_ascii=False))
        moved = p.summary["moved"]
        if not opts["dry_run"]:
            try:
                run = services.apply(actor, rule_set, kind=RunKind.COMMAND)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            moved = run.moved
        by_team = {("pool" if k == "pool" else teams.get(int(k), k)): v["in"] for k, v in p.summary["by_team"].items()}
        summary = {"moved": moved, "unassigned": p.summary["unassigned"], "by_team": by_team,
                   "version": rule_set.version, "dry_run": bool(opts["dry_run"])}
        if opts["json"]:
            self.stdout.write(json.dumps({"summary": summary}, ensure_ascii=False))
        else:
            self.stdout.write(f"rules v{rule_set.version}: {p.cases} active cases, "
                              f"{'would move' if opts['dry_run'] else 'moved'} {moved}, "
                              f"unassigned {summary['unassigned']}")
            for team, n in sorted(by_team.items(), key=lambda kv: str(kv[0])):
                self.stdout.write(f"  {team}: {n}")
