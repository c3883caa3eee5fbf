from django import forms
from django.utils.translation import gettext_lazy as _

WEEKDAYS = [("1", _("一")), ("2", _("二")), ("3", _("三")), ("4", _("四")), ("5", _("五")), ("6", _("六")),
            ("7", _("日"))]


class ScheduleForm(forms.Form):
    enabled = forms.BooleanField(label=_("启用"), required=False)
    at = forms.TimeField(label=_("运行时间"), input_formats=["%H:%M"], widget=forms.TimeInput(
        format="%H:%M", attrs={"type": "time"}))
    weekdays = forms.MultipleChoiceField(label=_("运行日"), choices=WEEKDAYS, required=False,
                                         widget=forms.CheckboxSelectMultiple)
