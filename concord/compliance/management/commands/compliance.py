"""``concord compliance`` — the compliance gate's pure core from the command line (no database needed).

    concord compliance replay SCENARIO.json    # one JSON object per check per line
    concord compliance packs [--json]          # the policy packs and their rules, with source and confidence
    concord compliance escalate [--now ISO] [--warn-hours 48]   # escalate complaints near or past their deadline
    concord compliance check [FILE|-] [--third-party]           # prohibited-content check of a text

``replay`` prints ``{"check": i, "decision": "allow"|"deny", "rules": [...], "reason": "..."}`` for each check in
file order, the reason in the scenario's locale; the exit status is 0 whatever the decisions. A malformed file
prints one error line naming the field at fault and exits with status 2.
"""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from concord.compliance.packs import all_packs
from concord.compliance.scenario import ScenarioError, load, replay

MARK = {"S": "S*", "U": "U*", "P/S": "P/S*", "S/U": "S/U*"}


class Command(BaseCommand):
    help = "Compliance gate: replay a scenario file, or list the policy packs and their rules."
    requires_system_checks = []   # pure: needs neither the database nor the other apps

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{replay,packs,escalate,check}")
        rp = sub.add_parser("replay", help="Replay a scenario file (SCENARIOS.md) and print each decision.")
        rp.add_argument("file", help="the scenario JSON file")
        pk = sub.add_parser("packs", help="List the policy packs and their rules with source and confidence.")
        pk.add_argument("--json", action="store_true", help="print JSON instead of a table")
        es = sub.add_parser("escalate", help="Escalate open complaints whose deadline is near or past (database).")
        es.add_argument("--now", help="the instant to use (ISO 8601 with offset; default: now)")
        es.add_argument("--warn-hours", type=int, default=None, help="escalate this many hours before the deadline")
        ck = sub.add_parser("check", help="Check a text for prohibited content (exit 1 when something is found).")
        ck.add_argument("file", nargs="?", default="-", help="a UTF-8 text file, or - for standard input")
        ck.add_argument("--third-party", action="store_true", help="the text goes to a third party")

    def handle(self, *args, **options):
        if options["action"] == "replay":
            return self.replay(options["file"])
        if options["action"] == "escalate":
            return self.escalate(options["now"], options["warn_hours"])
        if options["action"] == "check":
            return self.check(options["file"], options["third_party"])
        return self.packs(options["json"])

    def escalate(self, now_text, warn_hours):
        import datetime as dt

        from concord.compliance.services import escalate_due_complaints
        now = None
        if now_text:
            try:
                now = dt.datetime.fromisoformat(now_text)
            except ValueError:
                raise CommandError(f"--now: not an ISO 8601 instant: {now_text!r}", returncode=2) from None
            if now.tzinfo is None:
                raise CommandError("--now: the instant needs an offset (e.g. +08:00)", returncode=2)
        warn = dt.timedelta(hours=warn_hours) if warn_hours is not None else None
        done = escalate_due_complaints(now, warn=warn)
        for c in done:
            self.stdout.write(f"escalated #{c.pk} ({c.kind}, due {c.due_at.isoformat()})")
        self.stdout.write(f"{len(done)} escalated")

    def check(self, path, third_party):
        import sys

        from concord.compliance.content import check
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
        findings = check(text, third_party=third_party)
        for f in findings:
            self.stdout.write(json.dumps({"rule": f.rule, "category": f.category, "matched": f.matched,
                                          "start": f.start, "title": {"zh": f.title_zh, "en": f.title_en}},
                                         ensure_ascii=False))
        if findings:
            raise CommandError(f"{len(findings)} finding(s)", returncode=1)

    def replay(self, path):
        try:
            scenario = load(path)
        except ScenarioError as exc:
            raise CommandError(str(exc), returncode=2) from None
        for line in replay(scenario):
            self.stdout.write(json.dumps(line, ensure_ascii=False))

    def packs(self, as_json: bool):
        packs = all_packs()
        if as_json:
            out = [{"pack": p.name, "version": p.version, "title": {"zh": p.title_zh, "en": p.title_en},
                    "rules": [{"id": r.id, "code": r.code, "kind": r.kind, "enforced": r.enforced,
                               "jurisdiction": r.jurisdiction, "source": r.source,
                               "effective": r.effective.isoformat(), "confidence": r.confidence,
                               "uncertain": r.uncertain, "params": dict(r.params),
                               "title": {"zh": r.title_zh, "en": r.title_en}} for r in p.rules]}
                   for p in packs]
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        for p in packs:
            self.stdout.write(f"{p.name}  {p.title_zh} / {p.title_en}  (version {p.version})")
            for r in p.rules:
                conf = MARK.get(r.confidence, r.confidence)
                state = r.kind if r.enforced else "info (not decided at contact time)"
                self.stdout.write(f"  {r.code:<9}{conf:<6}{r.effective.isoformat()}  {r.id} [{state}]")
                self.stdout.write(f"           {r.title_zh} / {r.title_en}")
                self.stdout.write(f"           source: {r.source}")
                if r.params:
                    self.stdout.write("           params: " + json.dumps(dict(r.params), ensure_ascii=False)
                                      if r.kind not in ("disclosure", "content")
                                      else f"           params: {len(r.params['terms'])} terms")
            self.stdout.write("")
        self.stdout.write("* S = secondary source, U = unverified or conflicting: configurable, verify before "
                          "relying on it. H = Concord house policy (SCENARIOS.md). "
                          "/ * S 为二手来源、U 为未核实或有冲突：可配置，使用前请核实。H 为本系统自定的规则。")
