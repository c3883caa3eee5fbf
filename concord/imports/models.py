"""Import batches (one uploaded file each), saved mapping profiles, and payments waiting to be matched."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PLACEMENTS = "placements", _("委案")
    PAYMENTS = "payments", _("还款")
    RECALLS = "recalls", _("退案")
    CONTACTS = "contacts", _("信修")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    REJECTED = "rejected", _("文件被拒")


class ImportBatch(models.Model):
    """One uploaded file and what became of it. Files live in ``CONCORD_IMPORT_DIR/<id>/``."""

    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="import_batches",
                                 verbose_name=_("委托方"))
    kind = models.CharField(_("文件类型"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(_("文件哈希"), max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    profile_name = models.CharField(_("映射方案"), max_length=100, blank=True)
    encoding = models.CharField(_("编码"), max_length=20, blank=True, help_text=_("留空则自动识别"))
    dry_run = models.BooleanField(_("试运行"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.QUEUED,
                              db_index=True)
    total_rows = models.PositiveIntegerField(_("数据行"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("无变化"), default=0)
    rejected_count = models.PositiveIntegerField(_("拒绝"), default=0)
    warning_count = models.PositiveIntegerField(_("警告"), default=0)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("重复上传（原批次）"))
    summary = models.JSONField(_("摘要"), default=dict, blank=True)
    failure = models.TextField(_("失败原因"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    files_deleted_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True,
                                            help_text=_("保存期限届满，上传文件、问题清单与错误文件已删除"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        indexes = [models.Index(fields=["creditor", "kind", "file_sha256"])]

    def __str__(self):
        return f"#{self.pk} {self.file_name}"

    @property
    def progress(self) -> int:
        """Per cent of the rows processed (0–100)."""
        if self.status in (BatchStatus.DONE, BatchStatus.REJECTED):
            return 100
        return min(100, int(self.processed_rows * 100 / self.total_rows)) if self.total_rows else 0


class SavedProfile(models.Model):
    """A creditor's column mapping (header as written → Concord field), remembered for its next files."""

    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.CASCADE, related_name="import_profiles",
                                 verbose_name=_("委托方"))
    kind = models.CharField(_("文件类型"), max_length=20, choices=ImportKind.choices, default=ImportKind.PLACEMENTS)
    name = models.CharField(_("名称"), max_length=100)
    columns = models.JSONField(_("列映射"), default=dict)
    include_defaults = models.BooleanField(_("同时识别默认列名"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["creditor", "kind", "name"]
        unique_together = [("creditor", "kind", "name")]
        verbose_name = _("映射方案")
        verbose_name_plural = _("映射方案")

    def __str__(self):
        return f"{self.creditor.code}/{self.name}"


class UnmatchedStatus(models.TextChoices):
    WAITING = "waiting", _("待匹配")
    MATCHED = "matched", _("已匹配")
    DISMISSED = "dismissed", _("已驳回")


class UnmatchedPayment(models.Model):
    """A payment from a file whose account could not be found; waits for a person to match it."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="unmatched_payments",
                              verbose_name=_("导入批次"))
    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("委托方"))
    row_number = models.PositiveIntegerField(_("行号"))
    account_reference = models.CharField(_("文件中的借据号"), max_length=64, blank=True)
    external_reference = models.CharField(_("外部流水号"), max_length=100)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2, default=Decimal("0"))
    paid_at = models.DateTimeField(_("还款时间"))
    channel = models.CharField(_("渠道"), max_length=20)
    payer_name = models.CharField(_("付款人"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=UnmatchedStatus.choices,
                              default=UnmatchedStatus.WAITING, db_index=True)
    payment = models.ForeignKey("loans.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("匹配后的还款"))
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("处理人"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("待匹配还款")
        verbose_name_plural = _("待匹配还款")
        constraints = [models.UniqueConstraint(fields=["creditor", "external_reference"],
                                               name="unmatched_unique_external_reference")]
