"""``concord retention`` — delete import files and purge closed cases' personal data whose retention has ended.

    concord retention [--dry-run] [--json]

Run it daily (cron, or the scheduler). Prints what was (or, with ``--dry-run``, would be) deleted or purged.
"""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from concord.retention.services import run_retention


class Command(BaseCommand):
    help = "Delete import files and purge closed cases' personal data past their policy pack's retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would go; change nothing")
        parser.add_argument("--json", action="store_true", help="print the counts as one JSON object")

    def handle(self, *args, **options):
        result = run_retention(dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
        else:
            title = _("试运行（未改动）") if result["dry_run"] else _("保存期限处理完成")
            self.stdout.write(_("%(t)s：导入批次 %(b)s 个（文件 %(f)s 个）；清除个人信息 %(p)s 人（案件 %(c)s 个）") % {
                "t": title, "b": result["batches"], "f": result["files"], "p": result["people"],
                "c": result["cases"]})
            for kind, n in sorted(result["purged"].items()):
                self.stdout.write(f"  {kind}: {n}")
            for what, ident, error in result["errors"]:
                self.stderr.write(f"  {what} #{ident}: {error}")
        if result["errors"]:
            raise SystemExit(1)
