from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel, Language, MessageTemplate, Purpose


class TemplateForm(forms.Form):
    code = forms.SlugField(label=_("模板代码"), max_length=50)
    name = forms.CharField(label=_("名称"), max_length=100)
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    language = forms.ChoiceField(label=_("语言"), choices=Language.choices)
    purpose = forms.ChoiceField(label=_("目的"), choices=Purpose.choices)
    subject = forms.CharField(label=_("主题"), max_length=200, required=False)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 8, "cols": 80}))

    @classmethod
    def for_template(cls, template: MessageTemplate | None, data=None):
        initial = {}
        if template is not None:
            initial = {f: getattr(template, f) for f in ("code", "name", "channel", "language", "purpose",
                                                         "subject", "body")}
        return cls(data, initial=initial)


class ComposeForm(forms.Form):
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    template = forms.SlugField(label=_("模板"))
    to = forms.IntegerField(label=_("发送至"), required=False)


class BulkLettersForm(forms.Form):
    template = forms.SlugField(label=_("信函模板"), initial="demand_letter")
    cases = forms.CharField(label=_("案件"), widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
                            help_text=_("案件编号或 ID，每行一个或以逗号、空格分隔"))

    def clean_cases(self):
        import re
        items = [x for x in re.split(r"[\s,，;；]+", self.cleaned_data["cases"]) if x]
        if not items:
            raise forms.ValidationError(_("请至少填写一个案件"))
        if len(items) > 500:
            raise forms.ValidationError(_("一次最多 500 个案件"))
        return items


class SenderProfileForm(forms.Form):
    display_name = forms.CharField(label=_("对外名称"), max_length=200, required=False)
    phone = forms.CharField(label=_("服务热线"), max_length=40)
    email = forms.EmailField(label=_("联系邮箱"), required=False)
    address = forms.CharField(label=_("联系地址"), max_length=300, required=False)
    payment_url = forms.CharField(label=_("还款链接"), max_length=300, required=False,
                                  help_text=_("可含 {case_reference}"))
