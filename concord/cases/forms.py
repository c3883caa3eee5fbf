from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.creditors.models import Creditor
from concord.loans.models import ProductKind
from concord.debtors.models import AddressType, ContactKind, IdType
from concord.loans.delinquency import BUCKETS
from concord.loans.models import PaymentChannel, RepaymentMethod
from concord.staff.models import User
from concord.staff.roles import Capability, roles_with

from .models import CaseStatus
from .selectors import CaseFilters


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"placeholder": _("姓名 / 证件后四位 / 手机号 / 案件或借据号")}))
    creditor = forms.ModelChoiceField(label=_("委托方"), queryset=Creditor.objects.none(), required=False)
    product_kind = forms.ChoiceField(label=_("产品"), choices=[("", "—")] + list(ProductKind.choices), required=False)
    bucket = forms.ChoiceField(label=_("账龄"), choices=[("", "—")] + [(b, b) for b in BUCKETS], required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("", "—")] + list(CaseStatus.choices), required=False)
    collector = forms.ModelChoiceField(label=_("催收员"), queryset=User.objects.none(), required=False)
    dpd_min = forms.IntegerField(label=_("逾期天数 ≥"), required=False, min_value=0)
    dpd_max = forms.IntegerField(label=_("逾期天数 ≤"), required=False, min_value=0)
    balance_min = forms.DecimalField(label=_("欠款 ≥"), required=False, min_value=0, decimal_places=2)
    balance_max = forms.DecimalField(label=_("欠款 ≤"), required=False, min_value=0, decimal_places=2)

    def __init__(self, *args, visible_cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visible_cases is not None:
            self.fields["creditor"].queryset = Creditor.objects.filter(
                pk__in=visible_cases.values("creditor_id")).order_by("code")
            self.fields["collector"].queryset = User.objects.filter(
                pk__in=visible_cases.values("assigned_collector_id")).order_by("username")

    def clean(self):
        data = super().clean()
        for lo, hi in (("dpd_min", "dpd_max"), ("balance_min", "balance_max")):
            if data.get(lo) is not None and data.get(hi) is not None and data[lo] > data[hi]:
                self.add_error(hi, _("上限不能小于下限"))
        return data

    def filters(self) -> CaseFilters:
        d = self.cleaned_data
        return CaseFilters(creditor=d["creditor"].pk if d.get("creditor") else None,
                           product_kind=d.get("product_kind") or "", bucket=d.get("bucket") or "",
                           status=d.get("status") or "",
                           collector=d["collector"].pk if d.get("collector") else None,
                           dpd_min=d.get("dpd_min"), dpd_max=d.get("dpd_max"),
                           balance_min=d.get("balance_min"), balance_max=d.get("balance_max"), q=d.get("q") or "")


class ContactPointForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ContactKind.choices)
    value = forms.CharField(label=_("号码/地址"), max_length=300)
    address_type = forms.ChoiceField(label=_("地址类型"), choices=AddressType.choices, required=False)


class PaymentForm(forms.Form):
    account = forms.ChoiceField(label=_("账户"))
    amount = forms.DecimalField(label=_("金额"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    paid_at = forms.DateTimeField(label=_("还款时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    channel = forms.ChoiceField(label=_("渠道"), choices=PaymentChannel.choices)
    external_reference = forms.CharField(label=_("外部流水号"), max_length=100)

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [(a.pk, a.reference) for a in accounts]


class AssignForm(forms.Form):
    collector = forms.ModelChoiceField(label=_("催收员"), queryset=User.objects.none())
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)

    def __init__(self, *args, collectors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = collectors if collectors is not None else User.objects.filter(
            role__in=roles_with(Capability.TAKE_CASES), is_active=True)


class NewCaseForm(forms.Form):
    """登记案件: one debtor and one account, entered by hand (files come through imports)."""

    creditor = forms.ModelChoiceField(label=_("委托方"), queryset=Creditor.objects.filter(active=True))
    product_kind = forms.ChoiceField(label=_("产品"), choices=ProductKind.choices)
    full_name = forms.CharField(label=_("姓名"), max_length=100)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices)
    id_number = forms.CharField(label=_("证件号码"), max_length=30)
    mobile = forms.CharField(label=_("手机号"), max_length=30, required=False)
    reference = forms.CharField(label=_("借据号/卡号"), max_length=64)
    contract_amount = forms.DecimalField(label=_("合同金额"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    annual_rate = forms.DecimalField(label=_("年利率"), min_value=0, max_value=Decimal("0.99999"), decimal_places=5,
                                     help_text=_("如 0.18 表示 18%"))
    method = forms.ChoiceField(label=_("还款方式"), choices=RepaymentMethod.choices)
    term_months = forms.IntegerField(label=_("期数"), min_value=0, max_value=600, required=False)
    start_date = forms.DateField(label=_("放款/开卡日期"), widget=forms.DateInput(attrs={"type": "date"}))
    paid_instalments = forms.IntegerField(label=_("已还期数"), min_value=0, required=False)
    card_principal = forms.DecimalField(label=_("信用卡欠款本金"), min_value=Decimal("0.01"), required=False,
                                        max_digits=14, decimal_places=2)
    card_interest = forms.DecimalField(label=_("信用卡欠息"), min_value=0, required=False, max_digits=14,
                                       decimal_places=2)
    card_overdue_since = forms.DateField(label=_("信用卡逾期起始日"), required=False,
                                         widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("method") == RepaymentMethod.REVOLVING:
            for f in ("card_principal", "card_overdue_since"):
                if not data.get(f):
                    self.add_error(f, _("信用卡账户必须填写此项"))
        elif data.get("method") and not data.get("term_months"):
            self.add_error("term_months", _("贷款必须填写期数"))
        return data

    def account_terms(self) -> dict:
        d = self.cleaned_data
        terms = {k: d[k] for k in ("reference", "contract_amount", "annual_rate", "method", "start_date")}
        if d["method"] == RepaymentMethod.REVOLVING:
            terms.update(card_principal=d["card_principal"], card_interest=d.get("card_interest") or 0,
                         card_overdue_since=d["card_overdue_since"])
        else:
            terms.update(term_months=d["term_months"], paid_instalments=d.get("paid_instalments") or 0)
        return terms
