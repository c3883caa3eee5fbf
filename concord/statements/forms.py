from django import forms
from django.utils.translation import gettext_lazy as _


class QueryForm(forms.Form):
    comment = forms.CharField(label=_("疑问"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RemittanceForm(forms.Form):
    amount = forms.DecimalField(label=_("汇款金额"), max_digits=14, decimal_places=2, min_value=0)
    reference = forms.CharField(label=_("汇款流水号"), max_length=100)
    paid_on = forms.DateField(label=_("汇款日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class ReconcileForm(forms.Form):
    file = forms.FileField(label=_("委托方还款文件（CSV 或 XLSX）"))


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("处理说明"), max_length=500)
