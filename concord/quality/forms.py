from django import forms
from django.utils.translation import gettext_lazy as _

from concord.reports.forms import ReportFilterForm

from . import scorecard
from .models import Reason

STATUS = [("pending", _("待质检")), ("reviewed", _("已质检")), ("all", _("全部"))]


class QueueForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=STATUS, required=False)
    reason = forms.ChoiceField(label=_("抽样原因"), choices=[("", _("全部"))] + list(Reason.choices), required=False)
    collector = forms.ModelChoiceField(label=_("催收员"), queryset=None, required=False, empty_label=_("全部"))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = people


class ScorecardForm(ReportFilterForm):
    """The reports' filters that the scorecard uses (period, creditor, team, collector) and the level."""
    level = forms.ChoiceField(label=_("对象"), choices=[("collector", _("催收员")), ("team", _("小组"))],
                              required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("product", "placement", "bucket"):
            del self.fields[name]


class RubricForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, labels=None, initial_weights=None, **kwargs):
        super().__init__(*args, **kwargs)
        for m in scorecard.MEASURES:
            self.fields[m] = forms.IntegerField(label=(labels or {}).get(m, m), min_value=0, max_value=100,
                                                initial=(initial_weights or {}).get(m, 0))
        self.order_fields([*scorecard.MEASURES, "note"])
