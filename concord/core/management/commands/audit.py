"""``concord audit`` — check and read the hash-chained audit trail.

    concord audit verify          # "OK: N events verified", or names the first broken event and exits 1
    concord audit tail [-n 20]    # the last events, oldest first (PII in them is already masked)
"""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from concord.core.audit import verify_chain
from concord.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify or read the audit trail."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{verify,tail}")
        sub.add_parser("verify", help="Recompute the hash chain; exit 1 naming the first broken event.")
        tail = sub.add_parser("tail", help="Print the last events.")
        tail.add_argument("-n", "--lines", type=int, default=20, help="how many events (default 20)")
        tail.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args, **options):
        if options["action"] == "verify":
            return self._verify()
        return self._tail(options["lines"], options["json"])

    def _verify(self):
        result = verify_chain()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"OK: {result.checked} events verified"))
            return
        event = AuditEvent.objects.filter(chain=result.broken_chain, seq=result.broken_seq).first()
        action = event.action if event else "missing"
        raise CommandError(f"BROKEN at event {result.broken_label} ({action}): {result.reason}; "
                           f"{result.checked} events before it verified")

    def _tail(self, count: int, as_json: bool):
        if count < 1:
            raise CommandError(f"-n/--lines: must be at least 1, got {count}")
        events = list(AuditEvent.objects.order_by("-id")[:count])[::-1]
        if not events:
            self.stdout.write("(no audit events)")
            return
        for e in events:
            if as_json:
                self.stdout.write(json.dumps({
                    "chain": e.chain, "seq": e.seq, "at": e.at.isoformat(), "actor": e.actor_label, "action": e.action,
                    "object_type": e.object_type, "object_id": e.object_id, "changes": e.changes,
                    "request_id": e.request_id, "hash": e.hash}, ensure_ascii=False, default=str))
            else:
                at = timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")
                target = f"{e.object_type}:{e.object_id}" if e.object_type else "-"
                changes = json.dumps(e.changes, ensure_ascii=False, default=str, sort_keys=True)
                self.stdout.write(f"{e.label:<7} {at}  {e.actor_label or 'system':<12} {e.action:<24} "
                                  f"{target}  {changes}")
