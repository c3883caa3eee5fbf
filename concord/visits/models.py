"""Field visits (外访): a request with an address and a purpose, at least two collectors, a scheduled time, and a
report with its outcome, notes and files. Written only by ``services.py``."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class VisitStatus(models.TextChoices):
    REQUESTED = "requested", _("待排期")
    SCHEDULED = "scheduled", _("已排期")
    REPORTED = "reported", _("已完成")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATUSES = (VisitStatus.REQUESTED, VisitStatus.SCHEDULED)


class VisitPurpose(models.TextChoices):
    NEGOTIATE = "negotiate", _("协商还款")
    VERIFY_ADDRESS = "verify_address", _("核实地址")
    DELIVER_NOTICE = "deliver_notice", _("送达通知")
    ASSESS_HARDSHIP = "assess_hardship", _("了解经济状况")


class VisitOutcome(models.TextChoices):
    """The ledger outcomes a visit may have (compliance ``OUTCOMES_OF_CHANNEL['visit']``)."""
    CONVERSATION = "conversation", _("见到本人并面谈")
    THIRD_PARTY = "third_party", _("仅见到第三方")
    FAILED = "failed", _("未见到人")


class FieldVisit(models.Model):
    CASE_PATH = "case"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="field_visits",
                             verbose_name=_("案件"))
    address = models.ForeignKey("debtors.ContactPoint", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("外访地址"))
    purpose = models.CharField(_("外访目的"), max_length=20, choices=VisitPurpose.choices)
    request_note = models.CharField(_("申请说明"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=VisitStatus.choices, default=VisitStatus.REQUESTED,
                              db_index=True)
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"))
    agents = models.ManyToManyField(USER, blank=True, related_name="field_visits", verbose_name=_("外访人员"))
    scheduled_at = models.DateTimeField(_("计划时间"), null=True, blank=True, db_index=True)
    scheduled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("排期人"))
    scheduled_on = models.DateTimeField(_("排期操作时间"), null=True, blank=True)
    schedule_decision = models.ForeignKey("compliance.ContactDecision", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+",
                                          verbose_name=_("排期时的合规决定"))
    visited_at = models.DateTimeField(_("外访时间"), null=True, blank=True)
    outcome = models.CharField(_("外访结果"), max_length=20, choices=VisitOutcome.choices, blank=True)
    report_note = models.TextField(_("外访记录"), blank=True)
    reported_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("报告人"))
    report_decision = models.ForeignKey("compliance.ContactDecision", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("报告时的合规决定"))
    attempt = models.ForeignKey("compliance.ContactAttempt", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("联系记录"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("外访")
        verbose_name_plural = _("外访")

    def __str__(self):
        return f"#{self.pk} {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class VisitFile(models.Model):
    """A photo or document attached to a visit report, stored under ``DATA_DIR/visits/``."""
    CASE_PATH = "visit__case"

    visit = models.ForeignKey(FieldVisit, on_delete=models.PROTECT, related_name="files", verbose_name=_("外访"))
    path = models.CharField(_("存储路径"), max_length=300, unique=True)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("外访附件")
        verbose_name_plural = _("外访附件")

    def __str__(self):
        return self.name
