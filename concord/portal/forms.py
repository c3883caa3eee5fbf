from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import CHANNELS, REASONS
from .payments import providers


class SignInForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100)
    id_last4 = forms.CharField(label=_("身份证号后四位"), min_length=4, max_length=4)
    mobile = forms.CharField(label=_("手机号（在册号码）"), max_length=20)


class CodeForm(forms.Form):
    challenge = forms.CharField(widget=forms.HiddenInput)
    code = forms.RegexField(label=_("短信验证码"), regex=r"^\d{6}$", max_length=6,
                            error_messages={"invalid": _("请输入 6 位数字")})


class PayForm(forms.Form):
    account = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(label=_("还款金额（元）"), min_value=0.01, max_digits=14, decimal_places=2)
    provider = forms.ChoiceField(label=_("支付方式"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(providers_labels())
        self.fields["provider"].choices = [(n, names.get(n, n)) for n in providers.enabled()]
        if len(self.fields["provider"].choices) == 1:
            self.fields["provider"].initial = self.fields["provider"].choices[0][0]


def providers_labels():
    from .models import Provider
    return Provider.choices


class FinancesForm(forms.Form):
    income = forms.DecimalField(label=_("每月收入（元）"), min_value=0, max_digits=12, decimal_places=2)
    household = forms.DecimalField(label=_("每月家庭必要支出（元）"), min_value=0, max_digits=12, decimal_places=2)
    other_debt = forms.DecimalField(label=_("每月其他贷款还款（元）"), min_value=0, max_digits=12, decimal_places=2,
                                    required=False)


class ChoosePlanForm(forms.Form):
    kind = forms.ChoiceField(choices=[("instalment_plan", "instalment_plan"), ("settlement", "settlement")])
    months = forms.IntegerField(min_value=1, max_value=60)
    discount_amount = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2)


class PromiseForm(forms.Form):
    amount = forms.DecimalField(label=_("承诺还款金额（元）"), min_value=0.01, max_digits=14, decimal_places=2)
    due_date = forms.DateField(label=_("承诺还款日期"), widget=forms.DateInput(attrs={"type": "date"}))


class IssueForm(forms.Form):
    reason = forms.ChoiceField(label=_("您想告诉我们什么"), widget=forms.RadioSelect,
                               choices=[(k, v[2]) for k, v in REASONS.items()])
    details = forms.CharField(label=_("补充说明（选填）"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    receipt = forms.FileField(label=_("还款凭证（选填，PDF/JPEG/PNG，5 MB 以内）"), required=False)


CHANNEL_LABELS = {"call": _("电话"), "sms": _("短信"), "email": _("电子邮件"), "wechat": _("微信"),
                  "letter": _("信函"), "visit": _("上门")}


class PreferencesForm(forms.Form):
    preferred_channel = forms.ChoiceField(label=_("首选联系方式"), required=False,
                                          choices=[("", _("无"))] + [(c, CHANNEL_LABELS[c]) for c in CHANNELS])
    hours_from = forms.TimeField(label=_("方便联系：从"), required=False,
                                 widget=forms.TimeInput(attrs={"type": "time"}))
    hours_to = forms.TimeField(label=_("到"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    stop = forms.MultipleChoiceField(label=_("停止以下联系方式"), required=False,
                                     widget=forms.CheckboxSelectMultiple,
                                     choices=[(c, CHANNEL_LABELS[c]) for c in CHANNELS])
    writing_only = forms.BooleanField(label=_("只以书面方式（信函、电子邮件）联系我"), required=False)
    language = forms.ChoiceField(label=_("语言"), choices=[("zh-hans", "简体中文"), ("en", "English")])
