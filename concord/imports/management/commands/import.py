"""``concord import`` — import a creditor's file.

    concord import placements FILE --creditor CODE [--profile NAME] [--encoding GB18030] [--dry-run] [--json]
    concord import payments|recalls|contacts FILE --creditor CODE [...]

Prints the file's summary. With ``--json`` it prints JSON lines only: one object per rejected row
(``{"row": 17, "sheet": "Sheet1", "field": "national_id", "reason": "…", "reason_en": "…", "errors": […]}``,
``row`` as a spreadsheet shows it) and then one ``{"summary": {…}}`` line. The error file is kept encrypted in the
batch's folder; ``--errors-to PATH`` writes a copy in clear (mode 0600) for the user to fix.
Exit status: 0 when the file was processed (rejected rows included); 2 when the file cannot be read, has no
recognisable header row, or the creditor or profile does not exist.
"""
from __future__ import annotations

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from concord.creditors.models import Creditor
from concord.imports import services
from concord.imports.models import BatchStatus, ImportKind

ACTOR = "cli:import"


class Command(BaseCommand):
    help = "Import a creditor file: placements (委案), payments (还款), recalls (退案) or contacts (信修)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportKind.values, help="what the file holds")
        parser.add_argument("file", help="CSV (UTF-8, UTF-8 BOM, GBK/GB18030) or XLSX file")
        parser.add_argument("--creditor", required=True, help="creditor code (see 'concord creditor list')")
        parser.add_argument("--profile", default="", help="the creditor's saved column-mapping profile")
        parser.add_argument("--encoding", default="", help="override the detected CSV encoding, e.g. GB18030")
        parser.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
        parser.add_argument("--json", action="store_true", help="JSON lines: rejected rows, then the summary")
        parser.add_argument("--errors-to", default="", metavar="PATH",
                            help="also write the error file (kept encrypted in the batch's folder) here, in clear")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"],
                            help="language of the printed summary (JSON lines carry both)")

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            return self._handle(options)

    def _handle(self, options):
        creditor = Creditor.objects.filter(code=options["creditor"]).first()
        if creditor is None:
            raise CommandError(_("委托方 %(c)s 不存在；请先运行 concord creditor add") % {"c": options["creditor"]},
                               returncode=2)
        try:
            batch = services.start_batch(ACTOR, creditor=creditor, kind=options["kind"], path=options["file"],
                                         profile_name=options["profile"], encoding=options["encoding"],
                                         dry_run=options["dry_run"])
        except ValidationError as exc:
            raise CommandError("; ".join(m for ms in exc.message_dict.values() for m in ms), returncode=2) from None
        progress = None if options["json"] or not sys.stderr.isatty() else self._progress
        batch = services.run_batch(ACTOR, batch, progress=progress)
        if batch.status == BatchStatus.REJECTED:
            raise CommandError(batch.failure, returncode=2)
        if options["errors_to"] and services.error_file(batch):
            services.export_error_file(batch, options["errors_to"])
        if options["json"]:
            for issue in services.read_issues(batch, severity="error"):
                self.stdout.write(json.dumps(issue, ensure_ascii=False))
            self.stdout.write(json.dumps({"summary": batch.summary}, ensure_ascii=False, default=str))
            return
        self._print_summary(batch)

    def _progress(self, batch):
        self.stderr.write(f"\r{batch.processed_rows:,} / ~{batch.total_rows:,}", ending="")
        self.stderr.flush()

    def _print_summary(self, batch):
        s = batch.summary
        out = self.stdout.write
        title = _("试运行（未写入）") if batch.dry_run else _("导入完成")
        batch_label = _("批次")
        out(f"{title}: {batch.file_name} → {batch.creditor.code} ({batch_label} #{batch.pk})")
        if s.get("duplicate_of_batch"):
            out(_("该文件已于批次 #%(n)s 导入，本次没有任何改动。") % {"n": s["duplicate_of_batch"]})
        where = s.get("sheet") or s.get("encoding") or ""
        out(_("格式 %(f)s %(w)s，表头在第 %(h)s 行") % {"f": s.get("format", ""), "w": where, "h": s.get("header_row")})
        out(_("数据行 %(rows)s：新增 %(created)s，更新 %(updated)s，无变化 %(unchanged)s，拒绝 %(rejected)s，"
              "警告 %(warnings)s") % s)
        if s.get("unknown_columns"):
            out(_("未识别的列（已原样保留，可在映射方案中指定）：%(c)s") % {"c": "、".join(s["unknown_columns"])})
        for issue in services.read_issues(batch, severity="error", limit=20):
            reason = issue["reason"] if translation.get_language().startswith("zh") else issue["reason_en"]
            row = _("第 %(n)s 行") % {"n": issue["row"]}
            out(f"  {row}: {reason}")
        if batch.rejected_count > 20:
            out(_("  …… 另有 %(n)s 行被拒绝") % {"n": batch.rejected_count - 20})
        if services.error_file(batch):
            out(_("错误文件（改正后可重新上传）：导入页面上批次 #%(n)s 的下载链接，或加 --errors-to 文件路径") % {"n": batch.pk})
