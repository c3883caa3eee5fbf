"""The legal track (法律程序): a case taken to law — lawyer's letter, pre-litigation mediation, filing, judgment,
enforcement — with dates, documents and costs; and the debtor's acknowledgements that restart the limitation
period. Written only by ``services.py``."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Stage(models.TextChoices):
    DEMAND_LETTER = "demand_letter", _("律师函")
    MEDIATION = "mediation", _("诉前调解")
    FILING = "filing", _("立案")
    JUDGMENT = "judgment", _("判决")
    ENFORCEMENT = "enforcement", _("执行")


#: The allowed transitions, as data: a stage may start once the stage it follows has started (None: the first).
FOLLOWS: dict[str, str | None] = {
    Stage.DEMAND_LETTER: None,
    Stage.MEDIATION: Stage.DEMAND_LETTER,
    Stage.FILING: Stage.MEDIATION,
    Stage.JUDGMENT: Stage.FILING,
    Stage.ENFORCEMENT: Stage.JUDGMENT,
}


class LegalStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class CloseReason(models.TextChoices):
    PAID = "paid", _("已还清")
    SETTLED = "settled", _("和解/调解结案")
    ENFORCED = "enforced", _("执行完毕")
    WITHDRAWN = "withdrawn", _("撤回")
    UNRECOVERABLE = "unrecoverable", _("终结本次执行/无可执行财产")


class LegalCase(models.Model):
    """A case in the legal track. At most one active per case."""
    CASE_PATH = "case"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="legal_cases",
                             verbose_name=_("案件"))
    status = models.CharField(_("状态"), max_length=10, choices=LegalStatus.choices, default=LegalStatus.ACTIVE,
                              db_index=True)
    law_firm = models.CharField(_("律师事务所"), max_length=200, blank=True)
    lawyer = models.CharField(_("承办律师"), max_length=100, blank=True)
    court = models.CharField(_("法院"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    opened_on = models.DateField(_("进入法律程序日期"))
    opened_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("转入人"))
    limitation_start = models.DateField(_("时效起算事件日"), null=True, blank=True)
    limitation_basis = models.CharField(_("时效起算依据"), max_length=20, blank=True)
    limitation_expires_on = models.DateField(_("时效届满日（转入时）"), null=True, blank=True)
    hold = models.ForeignKey("compliance.Hold", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("法律程序暂停"))
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)
    close_reason = models.CharField(_("结束原因"), max_length=20, choices=CloseReason.choices, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("结束人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("法律程序")
        verbose_name_plural = _("法律程序")
        constraints = [models.UniqueConstraint(fields=["case"], condition=Q(status="active"),
                                               name="legal_one_active_per_case")]

    def __str__(self):
        return f"{self.case} · {self.get_status_display()}"


class LegalStage(models.Model):
    CASE_PATH = "legal_case__case"

    legal_case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="stages",
                                   verbose_name=_("法律程序"))
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("完成日期"), null=True, blank=True)
    reference = models.CharField(_("文书编号/案号"), max_length=100, blank=True)
    result = models.CharField(_("结果"), max_length=500, blank=True)
    started_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = _("法律程序阶段")
        verbose_name_plural = _("法律程序阶段")
        constraints = [models.UniqueConstraint(fields=["legal_case", "stage"], name="legal_stage_once")]

    def __str__(self):
        return self.get_stage_display()


class LegalDocument(models.Model):
    """An uploaded document (lawyer's letter, complaint, mediation agreement, judgment …) under DATA_DIR/legal/."""
    CASE_PATH = "legal_case__case"

    legal_case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="documents",
                                   verbose_name=_("法律程序"))
    stage = models.ForeignKey(LegalStage, null=True, blank=True, on_delete=models.PROTECT, related_name="documents",
                              verbose_name=_("阶段"))
    title = models.CharField(_("标题"), max_length=200)
    path = models.CharField(_("存储路径"), max_length=300, unique=True)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("法律文书")
        verbose_name_plural = _("法律文书")

    def __str__(self):
        return self.title


class CostKind(models.TextChoices):
    LAWYER_FEE = "lawyer_fee", _("律师费")
    COURT_FEE = "court_fee", _("诉讼费")
    PRESERVATION_FEE = "preservation_fee", _("保全费")
    ENFORCEMENT_FEE = "enforcement_fee", _("执行费")
    SERVICE_FEE = "service_fee", _("送达/公告费")
    OTHER = "other", _("其他")


class LegalCost(models.Model):
    CASE_PATH = "legal_case__case"

    legal_case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="costs",
                                   verbose_name=_("法律程序"))
    stage = models.ForeignKey(LegalStage, null=True, blank=True, on_delete=models.PROTECT, related_name="costs",
                              verbose_name=_("阶段"))
    kind = models.CharField(_("费用类型"), max_length=20, choices=CostKind.choices)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    incurred_on = models.DateField(_("发生日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["incurred_on", "id"]
        verbose_name = _("法律费用")
        verbose_name_plural = _("法律费用")


class AcknowledgementKind(models.TextChoices):
    PROMISE = "promise", _("承诺还款")
    ARRANGEMENT = "arrangement", _("签署还款协议")
    WRITTEN = "written", _("书面确认欠款")


class Acknowledgement(models.Model):
    """The debtor agreed to perform (Civil Code art. 195(2)): the limitation period starts again from that day."""
    CASE_PATH = "case"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="acknowledgements",
                             verbose_name=_("案件"))
    kind = models.CharField(_("类型"), max_length=20, choices=AcknowledgementKind.choices)
    acknowledged_on = models.DateField(_("确认日期"))
    evidence = models.CharField(_("证据说明"), max_length=300,
                                help_text=_("如 录音编号、协议编号、签字确认书"))
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-acknowledged_on", "-id"]
        verbose_name = _("债务确认")
        verbose_name_plural = _("债务确认")
