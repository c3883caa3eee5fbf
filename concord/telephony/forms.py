from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.workbench.forms import DT_FORMATS, LOCAL_DT, RESULT_CODE_CHOICES


class SwitchDispositionForm(forms.Form):
    """The collector's part of a call the switch logged: the disposition and the note (the result, ring and talk
    seconds and who hung up come from the call record)."""
    result_codes = forms.MultipleChoiceField(label=_("通话结论"), choices=RESULT_CODE_CHOICES, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    promise_amount = forms.DecimalField(label=_("承诺金额"), required=False, min_value=Decimal("0.01"),
                                        max_digits=14, decimal_places=2)
    promise_date = forms.DateField(label=_("承诺还款日期"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    callback_at = forms.DateTimeField(label=_("回电时间"), required=False, input_formats=DT_FORMATS,
                                      widget=forms.DateTimeInput(attrs=LOCAL_DT))
    dispute_summary = forms.CharField(label=_("异议内容"), required=False, max_length=500)
