"""``concord audit`` — check and read the hash-chained audit trail.

    concord audit verify [--anchor FILE]  # "OK: N events verified", or names the first broken event and exits 1
    concord audit anchor [--out FILE]     # every chain's head, signed: keep it outside the database
    concord audit seal                    # seal chains that end in events written before audit keys
    concord audit genkey                  # print a new random audit key (CONCORD_AUDIT_KEY)
    concord audit tail [-n 20]            # the last events, oldest first (PII in them is already masked)
"""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from concord.core import audit
from concord.core.audit import verify_chain
from concord.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify or read the audit trail."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{verify,anchor,seal,genkey,tail}")
        verify = sub.add_parser("verify", help="Recompute the hash chains; exit 1 naming the first broken event.")
        verify.add_argument("--anchor", metavar="FILE", help="an anchor from 'concord audit anchor': fail when "
                            "events up to its heads were removed or changed")
        anchor = sub.add_parser("anchor", help="Print every chain's head, signed under the audit key.")
        anchor.add_argument("--out", metavar="FILE", help="write the anchor to FILE (mode 0600) instead of stdout")
        sub.add_parser("seal", help="Append a keyed event to chains that end in events written before audit keys.")
        sub.add_parser("genkey", help="Print a new random audit key.")
        tail = sub.add_parser("tail", help="Print the last events.")
        tail.add_argument("-n", "--lines", type=int, default=20, help="how many events (default 20)")
        tail.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "verify":
            return self._verify(options.get("anchor"))
        if action == "anchor":
            return self._anchor(options.get("out"))
        if action == "seal":
            sealed = audit.seal_legacy_chains()
            self.stdout.write(f"sealed {len(sealed)} chain(s)" + (f": {', '.join(map(str, sealed))}" if sealed else ""))
            return
        if action == "genkey":
            self.stdout.write(audit.generate_key())
            return
        return self._tail(options["lines"], options["json"])

    def _anchor(self, out):
        text = json.dumps(audit.anchor(), indent=2, sort_keys=True)
        if not out:
            self.stdout.write(text)
            return
        import os

        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text + "\n")
        self.stdout.write(f"anchor written to {out}")

    def _load_anchor(self, path):
        try:
            with open(path, encoding="utf-8") as handle:
                doc = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"--anchor {path}: cannot read an anchor ({exc})") from None
        try:
            audit.check_anchor(doc)
        except ValueError as exc:
            raise CommandError(f"--anchor {path}: {exc}") from None
        return doc

    def _verify(self, anchor_path=None):
        anchor = self._load_anchor(anchor_path) if anchor_path else None
        result = verify_chain(anchor=anchor)
        if result.ok:
            extra = []
            if anchor is not None:
                extra.append(f"{result.anchored} chain head(s) match the anchor of {anchor['at']}")
            if result.legacy:
                extra.append(f"{result.legacy} written before audit keys, sealed")
            self.stdout.write(self.style.SUCCESS(f"OK: {result.checked} events verified"
                                                 + (f" ({'; '.join(extra)})" if extra else "")))
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
