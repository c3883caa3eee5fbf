from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AcknowledgementKind, CloseReason, CostKind, Stage

DATE = forms.DateInput(attrs={"type": "date"})


class EnterForm(forms.Form):
    law_firm = forms.CharField(label=_("律师事务所"), max_length=200, required=False)
    lawyer = forms.CharField(label=_("承办律师"), max_length=100, required=False)
    court = forms.CharField(label=_("法院"), max_length=200, required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("阶段"), choices=Stage.choices)
    started_on = forms.DateField(label=_("开始日期"), widget=DATE)
    reference = forms.CharField(label=_("文书编号/案号"), max_length=100, required=False)


class CompleteForm(forms.Form):
    ended_on = forms.DateField(label=_("完成日期"), widget=DATE)
    result = forms.CharField(label=_("结果"), max_length=500, required=False)


class _StageChoice(forms.Form):
    stage = forms.ChoiceField(label=_("阶段"), required=False)

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stages = {str(s.pk): s for s in stages}
        self.fields["stage"].choices = [("", "—")] + [(str(s.pk), s.get_stage_display()) for s in stages]

    def clean_stage(self):
        return self.stages.get(self.cleaned_data.get("stage") or "")


class CostForm(_StageChoice):
    kind = forms.ChoiceField(label=_("费用类型"), choices=CostKind.choices)
    amount = forms.DecimalField(label=_("金额（元）"), min_value=0, max_digits=14, decimal_places=2)
    incurred_on = forms.DateField(label=_("发生日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class DocumentForm(_StageChoice):
    title = forms.CharField(label=_("标题"), max_length=200)
    file = forms.FileField(label=_("文件"))


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("结束原因"), choices=CloseReason.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class AcknowledgementForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=AcknowledgementKind.choices)
    acknowledged_on = forms.DateField(label=_("确认日期"), widget=DATE)
    evidence = forms.CharField(label=_("证据说明"), max_length=300)
