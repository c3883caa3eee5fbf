"""Forms of the workbench: call disposition, promise, task, script."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TaskKind

LOCAL_DT = {"type": "datetime-local"}
DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def outcome_choices():
    from concord.compliance.models import Outcome

    from .policy import CALL_OUTCOMES
    return [(o, Outcome(o).label) for o in CALL_OUTCOMES]


RESULT_CODE_CHOICES = [("promise", _("承诺还款")), ("refusal", _("拒绝还款")), ("dispute", _("对债务有异议")),
                       ("hardship", _("经济困难")), ("callback", _("约定回电")), ("already_paid", _("称已还款")),
                       ("wrong_party", _("非本人/打错"))]


class DispositionFields(forms.Form):
    """What the collector says of a call, however its result was logged: the result codes, the note and what
    follows (a promise, a callback, a dispute). The manual call log and the switch's disposition both build on it."""
    result_codes = forms.MultipleChoiceField(label=_("结果代码"), choices=RESULT_CODE_CHOICES, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    promise_amount = forms.DecimalField(label=_("承诺金额"), required=False, min_value=Decimal("0.01"),
                                        max_digits=14, decimal_places=2)
    promise_date = forms.DateField(label=_("承诺还款日期"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    callback_at = forms.DateTimeField(label=_("回电时间"), required=False, input_formats=DT_FORMATS,
                                      widget=forms.DateTimeInput(attrs=LOCAL_DT))
    dispute_summary = forms.CharField(label=_("异议内容"), required=False, max_length=500)


class CallDispositionForm(DispositionFields):
    decision = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("通话结果"), choices=())
    duration_seconds = forms.IntegerField(label=_("通话时长（秒）"), min_value=0, max_value=4 * 3600, initial=0)
    recording = forms.FileField(label=_("通话录音（文件）"), required=False)
    recording_ref = forms.CharField(label=_("或：话单/录音编号"), required=False, max_length=120)
    field_order = ["decision", "outcome", "result_codes", "duration_seconds", "note", "promise_amount",
                   "promise_date", "callback_at", "dispute_summary", "recording", "recording_ref"]

    def __init__(self, *args, decision=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = outcome_choices()
        if decision is not None:
            self.fields["decision"].initial = decision.pk


class PromiseForm(forms.Form):
    amount = forms.DecimalField(label=_("承诺金额"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    due_date = forms.DateField(label=_("承诺还款日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, limits=None, **kwargs):
        super().__init__(*args, **kwargs)
        if limits:
            self.fields["due_date"].widget.attrs.update(min=str(limits["earliest"]), max=str(limits["latest"]))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("跟进事项"), max_length=200)
    due_at = forms.DateTimeField(label=_("到期时间"), input_formats=DT_FORMATS,
                                 widget=forms.DateTimeInput(attrs=LOCAL_DT))
    kind = forms.ChoiceField(label=_("类型"), choices=[(TaskKind.FOLLOW_UP, TaskKind.FOLLOW_UP.label),
                                                      (TaskKind.CALLBACK, TaskKind.CALLBACK.label)],
                             initial=TaskKind.FOLLOW_UP)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("备注"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CompleteTaskForm(forms.Form):
    result = forms.CharField(label=_("处理结果"), required=False, max_length=200)


class ScriptForm(forms.Form):
    title_zh = forms.CharField(label=_("标题（中文）"), max_length=100)
    title_en = forms.CharField(label=_("标题（英文）"), max_length=100)
    body_zh = forms.CharField(label=_("话术（中文）"), widget=forms.Textarea(attrs={"rows": 7}))
    body_en = forms.CharField(label=_("话术（英文）"), widget=forms.Textarea(attrs={"rows": 7}))


PROFILE_SOURCES = [("debtor", _("本人陈述")), ("bank_statement", _("银行流水")), ("credit_report", _("征信报告"))]


def source_label(code: str) -> str:
    """The words for a financial profile's source code (``debtor`` → 本人陈述); an unknown source as written."""
    return str(dict(PROFILE_SOURCES).get(code, code))


class FinancialProfileForm(forms.Form):
    """What the debtor states about their month: the arrangement calculator's grounds."""
    monthly_income = forms.DecimalField(label=_("月收入（元）"), min_value=Decimal("0"), max_digits=14, decimal_places=2)
    household_expenses = forms.DecimalField(label=_("家庭月支出（元）"), min_value=Decimal("0"), max_digits=14,
                                            decimal_places=2)
    other_debt_payments = forms.DecimalField(label=_("其他债务月供（元）"), min_value=Decimal("0"), max_digits=14,
                                             decimal_places=2, initial=Decimal("0"))
    dependants = forms.IntegerField(label=_("供养人数"), min_value=0, max_value=20, initial=0)
    source = forms.ChoiceField(label=_("来源"), choices=PROFILE_SOURCES, initial="debtor")


class AssetForm(forms.Form):
    kind = forms.ChoiceField(label=_("资产类型"), choices=())
    description = forms.CharField(label=_("描述"), max_length=200, required=False)
    value = forms.DecimalField(label=_("估值（元）"), min_value=Decimal("0"), max_digits=14, decimal_places=2)
    encumbrance = forms.DecimalField(label=_("已抵押/负债金额（元）"), min_value=Decimal("0"), max_digits=14,
                                     decimal_places=2, initial=Decimal("0"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from concord.debtors.models import AssetKind
        self.fields["kind"].choices = AssetKind.choices
