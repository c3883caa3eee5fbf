"""Forms of the compliance console: they validate input; the views then call the services."""
from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from concord.creditors.models import Creditor
from concord.staff.models import User
from concord.staff.roles import Capability, roles_with

from .models import (
    ComplaintCategory,
    ComplaintKind,
    ComplaintSource,
    HoldKind,
    QualificationKind,
    Resolution,
    Severity,
    case_model,
)

DATE = forms.DateInput(attrs={"type": "date"})


class DecisionFilterForm(forms.Form):
    rule = forms.ChoiceField(label=_("规则"), required=False)
    collector = forms.ModelChoiceField(label=_("催收员"), queryset=User.objects.none(), required=False)
    creditor = forms.ModelChoiceField(label=_("委托方"), queryset=Creditor.objects.all(), required=False)
    allowed = forms.ChoiceField(label=_("结果"), required=False,
                                choices=[("", "—"), ("allow", _("允许")), ("deny", _("拒绝"))])
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DATE)

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "—")] + [(r, r) for r in rules]
        self.fields["collector"].queryset = User.objects.filter(is_active=True).order_by("username")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data


class ExportForm(forms.Form):
    date_from = forms.DateField(label=_("起始日期"), widget=DATE)
    date_to = forms.DateField(label=_("截止日期"), widget=DATE)
    creditor = forms.ModelChoiceField(label=_("委托方"), queryset=Creditor.objects.all(), required=False)
    format = forms.ChoiceField(label=_("格式"), choices=[("xlsx", "XLSX"), ("csv", "CSV")])

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to"):
            if data["date_from"] > data["date_to"]:
                self.add_error("date_to", _("截止日期不能早于起始日期"))
            elif (data["date_to"] - data["date_from"]).days > 366:
                self.add_error("date_to", _("导出区间不能超过一年"))
        return data


class CaseRefField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        case = case_model().objects.select_related("debtor", "creditor").filter(reference=value.strip()).first()
        if case is None:
            raise ValidationError(_("找不到案件编号 %(r)s") % {"r": value})
        return case


class HoldForm(forms.Form):
    case = CaseRefField(label=_("案件编号"), max_length=40)
    kind = forms.ChoiceField(label=_("类型"), choices=HoldKind.choices)
    this_creditor_only = forms.BooleanField(label=_("仅限该案件的委托方"), required=False, initial=True)
    reason = forms.CharField(label=_("原因"), max_length=500)
    until = forms.DateTimeField(label=_("到期时间（可空）"), required=False,
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("解除原因"), max_length=500)


class ComplaintForm(forms.Form):
    case = CaseRefField(label=_("案件编号"), max_length=40)
    kind = forms.ChoiceField(label=_("类别"), choices=ComplaintKind.choices)
    source = forms.ChoiceField(label=_("来源"), choices=ComplaintSource.choices)
    category = forms.ChoiceField(label=_("分类"), choices=ComplaintCategory.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices, initial=Severity.MEDIUM)
    owner = forms.ModelChoiceField(label=_("负责人"), required=False,
                                   queryset=User.objects.filter(role__in=roles_with(Capability.OWN_COMPLAINTS), is_active=True))
    summary = forms.CharField(label=_("内容摘要"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("处理结论"), choices=Resolution.choices)
    reply = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class AssignComplaintForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("负责人"), queryset=User.objects.filter(role__in=roles_with(Capability.OWN_COMPLAINTS), is_active=True))


class OverridesForm(forms.Form):
    creditor = forms.ModelChoiceField(label=_("委托方"), queryset=Creditor.objects.all())
    overrides = forms.CharField(label=_("规则收紧（JSON）"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                help_text=_("例如 {\"CN6\": {\"max\": 4}}；只能收紧，不能放宽"))

    def clean_overrides(self):
        text = self.cleaned_data["overrides"].strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(_("不是有效的 JSON：%(e)s") % {"e": exc.msg}) from None
        if not isinstance(value, dict):
            raise ValidationError(_("规则收紧必须是 JSON 对象"))
        return value


class QualificationForm(forms.Form):
    user = forms.ModelChoiceField(label=_("人员"), queryset=User.objects.filter(
        role__in=roles_with(Capability.CONTACT_NEEDS_QUALIFICATION), is_active=True).order_by("username"))
    kind = forms.ChoiceField(label=_("类型"), choices=QualificationKind.choices)
    passed_on = forms.DateField(label=_("通过日期"), widget=DATE)
    expires_on = forms.DateField(label=_("到期日期（可空）"), required=False, widget=DATE)
    reference = forms.CharField(label=_("证书/记录编号"), required=False, max_length=100)


class AuditSearchForm(forms.Form):
    """The audit trail's search: person, case, user, action and period."""
    person = forms.CharField(label=_("债务人姓名"), required=False, max_length=100)
    case = forms.CharField(label=_("案件编号"), required=False, max_length=60)
    user = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("动作"), required=False)
    start = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from .audit_labels import choices

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("全部"))] + choices()

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("截止日期不能早于起始日期"))
        return data
