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


# -- the bulk work page -------------------------------------------------------------------------------------------
SORTS = {  # column → ordering (every column of the list sorts; the id breaks ties)
    "reference": "reference", "debtor": "debtor__full_name", "creditor": "creditor__code",
    "placement": "placement_id", "bucket": "bucket", "dpd": "max_dpd", "balance": "total_balance",
    "status": "status", "team": "assigned_team__name", "collector": "assigned_collector__username",
    "province": "debtor__province", "opened": "opened_on",
}


class BulkFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"placeholder": _("姓名 / 证件后四位 / 手机号 / 案件号")}))
    creditor = forms.ModelChoiceField(label=_("委托方"), queryset=Creditor.objects.none(), required=False)
    placement = forms.ModelChoiceField(label=_("委案批次"), queryset=Placement.objects.none(), required=False)
    bucket = forms.MultipleChoiceField(label=_("账龄"), choices=[(b, b) for b in BUCKETS], required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    team = forms.ChoiceField(label=_("小组"), required=False)
    collector = forms.ChoiceField(label=_("催收员"), required=False)
    province = forms.ChoiceField(label=_("省份"), required=False,
                                 choices=[("", "—")] + [(p, p) for p in PROVINCES])
    city = forms.CharField(label=_("城市"), required=False, max_length=40)
    dpd_min = forms.IntegerField(label=_("逾期天数 ≥"), required=False, min_value=0)
    dpd_max = forms.IntegerField(label=_("逾期天数 ≤"), required=False, min_value=0)
    balance_min = forms.DecimalField(label=_("欠款 ≥"), required=False, min_value=0, decimal_places=2)
    balance_max = forms.DecimalField(label=_("欠款 ≤"), required=False, min_value=0, decimal_places=2)
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS] + [("-" + k, k) for k in SORTS],
                             widget=forms.HiddenInput)

    def __init__(self, *args, teams=(), collectors=(), statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = Creditor.objects.order_by("code")
        self.fields["placement"].queryset = Placement.objects.select_related("creditor").order_by("-id")
        self.fields["status"].choices = [("", "—")] + list(statuses)
        self.fields["team"].choices = [("", "—"), ("pool", _("公共池（未分组）"))] + [(t.pk, t.name) for t in teams]
        self.fields["collector"].choices = [("", "—"), ("none", _("未分配催收员"))] + [
            (u.pk, str(u)) for u in collectors]


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(label=_("批量操作"))
    scope = forms.ChoiceField(choices=[("ticked", _("勾选的案件")), ("filter", _("筛选出的全部案件"))],
                              widget=forms.RadioSelect, initial="ticked", label=_("作用于"))
    team = forms.ChoiceField(label=_("分到小组"), required=False)
    collector = forms.ChoiceField(label=_("分到催收员"), required=False)
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)
    channel = forms.ChoiceField(label=_("渠道"), required=False,
                                choices=[("sms", _("短信")), ("email", _("电子邮件")), ("letter", _("信函"))])
    template = forms.CharField(label=_("模板代码"), max_length=60, required=False)
    expected = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actions=(), teams=(), collectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = list(actions)
        self.fields["team"].choices = [("", "—")] + [(t.pk, t.name) for t in teams]
        self.fields["collector"].choices = [("", "—")] + [(u.pk, f"{u} · {u.team}") for u in collectors]

    def clean(self):
        d = super().clean()
        if d.get("action") == "reassign" and not (d.get("team") or d.get("collector")):
            self.add_error("team", _("请选择小组或催收员"))
        if d.get("action") == "message" and not d.get("template"):
            self.add_error("template", _("请填写模板代码"))
        if d.get("action") == "recall" and not (d.get("reason") or "").strip():
            self.add_error("reason", _("退案须填写原因"))
        return d
