"""``concord compliance`` — the compliance gate's pure core from the command line (no database needed).

    concord compliance replay SCENARIO.json    # one JSON object per check per line
    concord compliance packs [--json]          # the policy packs and their rules, with source and confidence

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
        sub = parser.add_subparsers(dest="action", required=True, metavar="{replay,packs}")
        rp = sub.add_parser("replay", help="Replay a scenario file (SCENARIOS.md) and print each decision.")
        rp.add_argument("file", help="the scenario JSON file")
        pk = sub.add_parser("packs", help="List the policy packs and their rules with source and confidence.")
        pk.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args, **options):
        if options["action"] == "replay":
            return self.replay(options["file"])
        return self.packs(options["json"])

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
