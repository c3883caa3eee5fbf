from django import forms
from django.utils.translation import gettext_lazy as _

from concord.cases.models import CaseStatus
from concord.creditors.models import Creditor

WHAT = [("cases", _("案件清单")), ("activities", _("催记"))]
FORMAT = [("xlsx", "XLSX"), ("csv", "CSV")]


class ExportForm(forms.Form):
    what = forms.ChoiceField(label=_("导出内容"), choices=WHAT)
    creditor = forms.ModelChoiceField(label=_("委托方"), queryset=Creditor.objects.none(), required=False,
                                      empty_label=_("全部（我可见的）"))
    status = forms.ChoiceField(label=_("案件状态"), choices=[("", "—")] + list(CaseStatus.choices), required=False)
    start = forms.DateField(label=_("催记起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("催记截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(label=_("格式"), choices=FORMAT)

    def __init__(self, *args, visible_cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visible_cases is not None:
            self.fields["creditor"].queryset = Creditor.objects.filter(
                pk__in=visible_cases.values("creditor_id")).order_by("code")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("截止日期不能早于起始日期"))
        return data
