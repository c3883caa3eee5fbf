from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ArrangementKind


class ProposeForm(forms.Form):
    kind = forms.ChoiceField(label=_("方案类型"), choices=ArrangementKind.choices)
    months = forms.IntegerField(label=_("期数"), min_value=1, max_value=60)
    discount_amount = forms.DecimalField(label=_("减免金额（元）"), min_value=0, decimal_places=2, max_digits=14,
                                         initial=0)
    first_due = forms.DateField(label=_("首期还款日"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    grace_days = forms.IntegerField(label=_("宽限天数"), min_value=0, max_value=30, required=False,
                                    help_text=_("留空按委托方政策"))
    reason = forms.CharField(label=_("理由"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("借款人的情况、为何此方案可行")}))


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("审批意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CreditorDecisionForm(forms.Form):
    approved = forms.TypedChoiceField(label=_("委托方决定"), coerce=lambda v: v == "yes",
                                      choices=[("yes", _("批准")), ("no", _("驳回"))])
    reference = forms.CharField(label=_("委托方批复编号"), max_length=100)
    reason = forms.CharField(label=_("说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class HardshipForm(forms.Form):
    reason = forms.CharField(label=_("情况说明"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


def form_ids(name: str, pk) -> str:
    """The element ids of one arrangement's decision form (``decide12_reason`` …): unique on a page that lists
    several, and the same whether the form is empty or comes back refused."""
    return f"{name}{pk}_%s"
