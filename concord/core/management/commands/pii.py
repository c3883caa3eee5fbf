"""``concord pii genkey`` — print a new random PII master key (urlsafe base64 of 32 bytes).

Set it as ``CONCORD_PII_KEY`` before the first debtor is stored: every ciphertext and blind index depends on
it, so changing the key later makes existing PII unreadable and unsearchable.
"""
from __future__ import annotations

from django.core.management.base import BaseCommand

from concord.core import pii


class Command(BaseCommand):
    help = "PII key tools."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{genkey}")
        sub.add_parser("genkey", help="Print a new random key for CONCORD_PII_KEY.")

    def handle(self, *args, **options):
        self.stdout.write(pii.generate_key())
