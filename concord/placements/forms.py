"""The batch terms form: the period, its end, retention, the policy pack, the products and the commission terms,
written as a person writes them (``M1=12%, M2=18%, M3+=25%``; tiers ``0=10%, 5%=15%``)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.creditors.commission import TermsError, parse_terms
from concord.creditors.models import EndAction, PolicyPack, RetainWhen


def _number(text: str) -> str:
    text = text.strip()
    try:
        if text.endswith("%"):
            return str(Decimal(text[:-1].strip()) / 100)
        return str(Decimal(text))
    except InvalidOperation:
        raise forms.ValidationError(_("“%(t)s”不是数字或百分比") % {"t": text})


def _pairs(text: str) -> list[tuple[str, str]]:
    out = []
    for part in (text or "").replace("，", ",").replace("；", ",").replace(";", ",").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise forms.ValidationError(_("“%(p)s”应写成 键=值，如 M1=12%%") % {"p": part.strip()})
        key, value = part.split("=", 1)
        out.append((key.strip(), value.strip()))
    return out


def _pct(value) -> str:
    return f"{(Decimal(str(value)) * 100).normalize():f}%"


def terms_text(terms: dict) -> dict:
    """Stored commission terms as the form's initial text."""
    terms = terms or {}
    if terms and "buckets" not in terms and all(str(k).startswith("M") for k in terms):
        terms = {"buckets": terms}
    return {"bucket_rates": ", ".join(f"{k}={_pct(v)}" for k, v in (terms.get("buckets") or {}).items()),
            "tiers": ", ".join(f"{_pct(t)}={_pct(r)}" for t, r in terms.get("tiers") or []),
            "legal_rate": _pct(terms["legal_rate"]) if terms.get("legal_rate") not in (None, "") else "",
            "cap": terms.get("cap") or "", "minimum": terms.get("minimum") or "",
            "direct_counts": bool(terms.get("direct_counts"))}


class CommissionFields(forms.Form):
    bucket_rates = forms.CharField(label=gettext_lazy("按委案账龄的费率"), required=False,
                                   help_text=gettext_lazy("如 M1=12%, M2=18%, M3+=25%（M3+ 指 M3 及以上）"))
    tiers = forms.CharField(label=gettext_lazy("按批次回收率的阶梯费率"), required=False,
                            help_text=gettext_lazy("回收率门槛=费率，如 0=10%, 5%=15%, 10%=20%；填写后优先于账龄费率"))
    legal_rate = forms.CharField(label=gettext_lazy("法律程序回收费率"), required=False)
    cap = forms.DecimalField(label=gettext_lazy("单笔佣金上限（元）"), required=False, min_value=0, decimal_places=2)
    minimum = forms.DecimalField(label=gettext_lazy("单笔佣金下限（元）"), required=False, min_value=0,
                                 decimal_places=2)
    direct_counts = forms.BooleanField(label=gettext_lazy("直接还款至委托方的款项也计佣"), required=False)

    def commission_terms(self) -> dict:
        d = self.cleaned_data
        terms: dict = {}
        buckets = {k: _number(v) for k, v in _pairs(d.get("bucket_rates"))}
        if buckets:
            terms["buckets"] = buckets
        tiers = [[_number(k), _number(v)] for k, v in _pairs(d.get("tiers"))]
        if tiers:
            terms["tiers"] = tiers
        if (d.get("legal_rate") or "").strip():
            terms["legal_rate"] = _number(d["legal_rate"])
        for name in ("cap", "minimum"):
            if d.get(name) is not None:
                terms[name] = str(d[name])
        if d.get("direct_counts"):
            terms["direct_counts"] = True
        return terms

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.terms = self.commission_terms()
                parse_terms(self.terms)
            except forms.ValidationError as exc:
                raise exc
            except TermsError as exc:
                raise forms.ValidationError(str(exc))
        return cleaned


class TermsForm(CommissionFields):
    period_days = forms.IntegerField(label=gettext_lazy("委案期限（天）"), min_value=1, max_value=3660)
    end_action = forms.ChoiceField(label=gettext_lazy("到期处理"), choices=EndAction.choices)
    extension_days = forms.IntegerField(label=gettext_lazy("延期天数"), min_value=0, max_value=3660, required=False)
    retain_when = forms.ChoiceField(label=gettext_lazy("留案条件"), choices=RetainWhen.choices)
    policy_pack = forms.ChoiceField(label=gettext_lazy("合规规则包"),
                                    choices=[("", gettext_lazy("沿用委托方的规则包"))] + list(PolicyPack.choices),
                                    required=False)
    products = forms.MultipleChoiceField(label=gettext_lazy("产品"), required=False,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, placement, **kwargs):
        self.placement = placement
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = [(str(p.pk), p.label) for p in placement.creditor.products.all()]
        if not self.is_bound:
            self.initial.update(terms_text(placement.commission_terms))
            self.initial.update(period_days=placement.days, end_action=placement.end_action,
                                extension_days=placement.extension_days, retain_when=placement.retain_when,
                                policy_pack=placement.policy_pack,
                                products=[str(p.pk) for p in placement.products.all()])

    def changes(self) -> dict:
        import datetime as dt
        d = self.cleaned_data
        return {"period_days": d["period_days"],
                "return_on": (self.placement.extended_on or
                              self.placement.placed_on + dt.timedelta(days=d["period_days"])),
                "end_action": d["end_action"], "extension_days": d.get("extension_days") or 0,
                "retain_when": d["retain_when"], "policy_pack": d.get("policy_pack") or "",
                "commission_terms": self.terms}

    def chosen_products(self):
        ids = [int(i) for i in self.cleaned_data.get("products") or []]
        return list(self.placement.creditor.products.filter(pk__in=ids))


class RecallForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("退案原因"), max_length=200)
    accounts = forms.MultipleChoiceField(label=gettext_lazy("借据"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].choices = choices
