from django import forms
from django.utils.translation import gettext_lazy as _

from concord.staff.models import User

from .models import VisitOutcome, VisitPurpose
from concord.staff.roles import Capability, roles_with

from .services import address_choices


class RequestForm(forms.Form):
    address = forms.ChoiceField(label=_("外访地址"))
    purpose = forms.ChoiceField(label=_("外访目的"), choices=VisitPurpose.choices)
    note = forms.CharField(label=_("申请说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = address_choices(case) if case is not None else []
        self.points = {str(p.pk): p for p, _m in choices}
        self.fields["address"].choices = [(str(p.pk), m) for p, m in choices]

    def clean_address(self):
        return self.points[self.cleaned_data["address"]]


class AgentChoiceField(forms.ModelMultipleChoiceField):
    """An agent as a lead picks one: name, role and team (a field agent from the field team, a collector of mine)."""

    def label_from_instance(self, user):
        parts = [user.get_role_display()] + ([str(user.team)] if user.team_id else [])
        return f"{user}（{' · '.join(parts)}）"


class ScheduleForm(forms.Form):
    agents = AgentChoiceField(label=_("外访人员（至少两名）"), queryset=User.objects.none(),
                                            widget=forms.CheckboxSelectMultiple)
    scheduled_at = forms.DateTimeField(label=_("计划时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agents"].queryset = agents if agents is not None else User.objects.filter(
            role__in=roles_with(Capability.VISIT), is_active=True).order_by("username")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    outcome = forms.ChoiceField(label=_("外访结果"), choices=VisitOutcome.choices)
    visited_at = forms.DateTimeField(label=_("外访时间"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     help_text=_("留空表示现在"))
    note = forms.CharField(label=_("外访记录"), widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("照片/文件"), required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=300)
