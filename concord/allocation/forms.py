from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.creditors.models import Creditor, Placement, Product
from concord.debtors.region import PROVINCES
from concord.eod import allocrules
from concord.loans.delinquency import BUCKETS
from concord.staff.models import Team

METHOD_CHOICES = [("round_robin", _("轮流分配")), ("balance", _("按金额均衡")), ("capacity", _("按容量加权")),
                  ("skill", _("按技能"))]
SKILL_CHOICES = [("", "—"), ("language", _("语言")), ("legal", _("法律")), ("field", _("外访"))]
LEGAL_CHOICES = [("none", _("未进入法律程序")), ("active", _("法律程序中"))]


def _split(text: str) -> list[str]:
    return [s.strip() for s in (text or "").replace("，", ",").split(",") if s.strip()]


def _fen(value) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def _yuan(fen) -> Decimal | None:
    return None if fen is None else (Decimal(fen) / 100).quantize(Decimal("0.01"))


class RuleForm(forms.Form):
    code = forms.CharField(label=_("编号"), max_length=20)
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    creditors = forms.ModelMultipleChoiceField(label=_("委托方"), queryset=Creditor.objects.none(), required=False)
    products = forms.ModelMultipleChoiceField(label=_("产品"), queryset=Product.objects.none(), required=False)
    placements = forms.ModelMultipleChoiceField(label=_("委案批次"), queryset=Placement.objects.none(), required=False)
    buckets = forms.MultipleChoiceField(label=_("账龄"), choices=[(b, b) for b in BUCKETS], required=False,
                                        widget=forms.CheckboxSelectMultiple)
    dpd_min = forms.IntegerField(label=_("逾期天数 ≥"), required=False, min_value=0)
    dpd_max = forms.IntegerField(label=_("逾期天数 ≤"), required=False, min_value=0)
    balance_min = forms.DecimalField(label=_("欠款 ≥（元）"), required=False, min_value=0, decimal_places=2)
    balance_max = forms.DecimalField(label=_("欠款 ≤（元）"), required=False, min_value=0, decimal_places=2)
    provinces = forms.MultipleChoiceField(label=_("省份"), choices=[(p, p) for p in PROVINCES], required=False)
    cities = forms.CharField(label=_("城市（逗号分隔）"), required=False, max_length=400)
    languages = forms.CharField(label=_("语言（逗号分隔，如 en）"), required=False, max_length=100)
    score_min = forms.IntegerField(label=_("评分 ≥"), required=False)
    score_max = forms.IntegerField(label=_("评分 ≤"), required=False)
    legal = forms.MultipleChoiceField(label=_("法律状态"), choices=LEGAL_CHOICES, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    team = forms.ChoiceField(label=_("分给"), required=False)
    method = forms.ChoiceField(label=_("组内分配方式"), choices=METHOD_CHOICES)
    skill = forms.ChoiceField(label=_("所需技能"), choices=SKILL_CHOICES, required=False)
    sticky = forms.BooleanField(label=_("留案（已在组内的案件不动）"), required=False)
    rotate_days = forms.IntegerField(label=_("轮换：无承诺超过（天）"), required=False, min_value=1)
    exclude_days = forms.IntegerField(label=_("不回到（天）内持有过的催收员"), required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditors"].queryset = Creditor.objects.order_by("code")
        self.fields["products"].queryset = Product.objects.select_related("creditor").order_by("creditor__code", "id")
        self.fields["placements"].queryset = Placement.objects.select_related("creditor").order_by("-id")
        self.fields["team"].choices = [("", _("公共池"))] + [(t.pk, t.name) for t in Team.objects.order_by("name")]

    def rule(self) -> dict:
        d = self.cleaned_data
        return {"code": d["code"], "name": d["name"], "creditors": [c.pk for c in d["creditors"]],
                "products": [p.pk for p in d["products"]], "placements": [p.pk for p in d["placements"]],
                "buckets": d["buckets"], "dpd_min": d["dpd_min"], "dpd_max": d["dpd_max"],
                "balance_min_fen": _fen(d["balance_min"]), "balance_max_fen": _fen(d["balance_max"]),
                "provinces": d["provinces"], "cities": _split(d["cities"]), "languages": _split(d["languages"]),
                "score_min": d["score_min"], "score_max": d["score_max"], "legal": d["legal"],
                "team": int(d["team"]) if d["team"] else None, "method": d["method"], "skill": d["skill"],
                "sticky": d["sticky"], "rotate_days": d["rotate_days"], "exclude_days": d["exclude_days"] or 0}

    @staticmethod
    def initial_of(rule: dict) -> dict:
        r = {**allocrules.default_rule(), **rule}
        return {**{k: r[k] for k in ("code", "name", "creditors", "products", "placements", "buckets", "dpd_min",
                                     "dpd_max", "provinces", "score_min", "score_max", "legal", "method", "skill",
                                     "sticky", "rotate_days", "exclude_days")},
                "balance_min": _yuan(r["balance_min_fen"]), "balance_max": _yuan(r["balance_max_fen"]),
                "cities": ", ".join(r["cities"]), "languages": ", ".join(r["languages"]),
                "team": r["team"] or ""}


RuleFormSet = forms.formset_factory(RuleForm, extra=0, can_order=True, can_delete=True)


class VersionNoteForm(forms.Form):
    note = forms.CharField(label=_("修改说明"), max_length=200, required=False)
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)
