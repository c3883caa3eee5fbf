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


class ReportFilterForm(forms.Form):
    """The filters every report page shares: the period and which accounts (each on the account's row of the day)."""
    start = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    creditor = forms.ModelChoiceField(label=_("委托方"), queryset=Creditor.objects.none(), required=False,
                                      empty_label=_("全部"))
    product = forms.ModelChoiceField(label=_("产品"), queryset=None, required=False, empty_label=_("全部"))
    placement = forms.ModelChoiceField(label=_("委案批次"), queryset=None, required=False, empty_label=_("全部"))
    team = forms.ModelChoiceField(label=_("小组"), queryset=None, required=False, empty_label=_("全部"))
    collector = forms.ModelChoiceField(label=_("催收员"), queryset=None, required=False, empty_label=_("全部"))
    bucket = forms.ChoiceField(label=_("账龄"), required=False)

    def __init__(self, *args, teams=None, **kwargs):
        from concord.creditors.models import Placement, Product
        from concord.loans.delinquency import BUCKETS
        from concord.staff.models import Team, User

        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = Creditor.objects.order_by("code")
        self.fields["product"].queryset = Product.objects.select_related("creditor").order_by("creditor__code", "code")
        self.fields["placement"].queryset = Placement.objects.select_related("creditor").order_by("-placed_on", "pk")
        team_qs = Team.objects.order_by("name")
        people = User.objects.filter(role__in=("collector", "team_lead", "field_agent")).order_by("username")
        if teams is not None:  # a team lead: their teams and their people only
            team_qs = team_qs.filter(pk__in=teams)
            people = people.filter(team_id__in=teams)
        self.fields["team"].queryset = team_qs
        self.fields["collector"].queryset = people
        self.fields["bucket"].choices = [("", _("全部"))] + [(b, b) for b in BUCKETS]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            if data["end"] < data["start"]:
                self.add_error("end", _("截止日期不能早于起始日期"))
            elif (data["end"] - data["start"]).days > 800:
                self.add_error("start", _("报表期间最长 800 天"))
        return data


class RecoveryTargetForm(forms.Form):
    """A creditor's recovery target for a month (the morning page compares the month's recovery with it)."""
    creditor = forms.ModelChoiceField(label=_("委托方"), queryset=Creditor.objects.order_by("code"))
    month = forms.DateField(label=_("月份"), input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    amount = forms.DecimalField(label=_("回收目标金额"), min_value=0, max_digits=16, decimal_places=2)


class SubscriptionForm(forms.Form):
    """A report subscription (报表订阅): which report with which filters, which period, when, to whom."""
    title = forms.CharField(label=_("名称"), max_length=120)
    report = forms.ChoiceField(label=_("报表"))
    period = forms.ChoiceField(label=_("报表期间"))
    frequency = forms.ChoiceField(label=_("频率"))
    weekday = forms.TypedChoiceField(label=_("星期几（每周）"), coerce=int, required=False, empty_value=None)
    month_day = forms.TypedChoiceField(label=_("每月几号（每月）"), coerce=int, required=False, empty_value=None)
    at = forms.TimeField(label=_("发送时间"), input_formats=["%H:%M"],
                         widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}))
    creditor = forms.ModelChoiceField(label=_("委托方"), queryset=Creditor.objects.none(), required=False,
                                      empty_label=_("全部"))
    product = forms.ModelChoiceField(label=_("产品"), queryset=None, required=False, empty_label=_("全部"))
    team = forms.ModelChoiceField(label=_("小组"), queryset=None, required=False, empty_label=_("全部"))
    collector = forms.ModelChoiceField(label=_("催收员"), queryset=None, required=False, empty_label=_("全部"))
    bucket = forms.ChoiceField(label=_("账龄"), required=False)
    recipients = forms.CharField(label=_("收件人"), widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("Concord 用户的邮箱，用逗号或换行分隔；收件人须有权查看该范围的报表"))
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, teams=None, **kwargs):
        from concord.creditors.models import Product
        from concord.loans.delinquency import BUCKETS
        from concord.staff.models import Team, User

        from .models import Frequency, PeriodRule
        from .pages import REPORTS
        from .recurrence import MAX_MONTH_DAY

        super().__init__(*args, **kwargs)
        self.fields["report"].choices = list(REPORTS.items())
        self.fields["period"].choices = PeriodRule.choices
        self.fields["frequency"].choices = Frequency.choices
        self.fields["weekday"].choices = [("", "—")] + [(str(n), label) for n, label in enumerate(
            [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")], 1)]
        self.fields["month_day"].choices = [("", "—")] + [(str(n), str(n)) for n in range(1, MAX_MONTH_DAY + 1)]
        self.fields["creditor"].queryset = Creditor.objects.order_by("code")
        self.fields["product"].queryset = Product.objects.select_related("creditor").order_by("creditor__code", "code")
        team_qs = Team.objects.order_by("name")
        people = User.objects.filter(role__in=("collector", "team_lead", "field_agent")).order_by("username")
        if teams is not None:  # a team lead: their teams and their people only
            team_qs = team_qs.filter(pk__in=teams)
            people = people.filter(team_id__in=teams)
        self.fields["team"].queryset = team_qs
        self.fields["collector"].queryset = people
        self.fields["bucket"].choices = [("", _("全部"))] + [(b, b) for b in BUCKETS]

    def clean_recipients(self):
        from django.core.exceptions import ValidationError

        from .subscriptions import parse_recipients

        try:
            return parse_recipients(self.cleaned_data["recipients"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
