"""The allocation pages: the rules (read, edit as a new version, roll back), the preview of what they would move
and applying it (managers); the bulk work page is in ``bulk_views``."""
from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.creditors.models import Creditor, Placement, Product
from concord.eod import allocrules
from concord.staff.roles import Capability, require_capability

from . import jobs, selectors, services
from .forms import METHOD_CHOICES, SKILL_CHOICES, RuleForm, RuleFormSet, VersionNoteForm
from .models import AllocationRun, RuleSet


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))


def describe(rule: dict, names: dict) -> dict:
    """A rule in words for the rules page: its conditions and what it does."""
    conds = []
    if rule["creditors"]:
        conds.append(_("委托方") + "：" + "、".join(names["creditors"].get(i, str(i)) for i in rule["creditors"]))
    if rule["products"]:
        conds.append(_("产品") + "：" + "、".join(names["products"].get(i, str(i)) for i in rule["products"]))
    if rule["placements"]:
        conds.append(_("委案批次") + "：" + "、".join(names["placements"].get(i, str(i)) for i in rule["placements"]))
    if rule["buckets"]:
        conds.append(_("账龄") + "：" + "、".join(rule["buckets"]))
    for lo, hi, label, money in (("dpd_min", "dpd_max", _("逾期天数"), False),
                                 ("balance_min_fen", "balance_max_fen", _("欠款（元）"), True),
                                 ("score_min", "score_max", _("评分"), False)):
        a, b = rule[lo], rule[hi]
        if a is not None or b is not None:
            fmt = (lambda v: f"{_yuan(v):,}") if money else str
            conds.append(f"{label} {fmt(a) if a is not None else '…'}–{fmt(b) if b is not None else '…'}")
    for key, label in (("provinces", _("省份")), ("cities", _("城市")), ("languages", _("语言"))):
        if rule[key]:
            conds.append(label + "：" + "、".join(rule[key]))
    if rule["legal"]:
        conds.append(_("法律状态") + "：" + "、".join(_("法律程序中") if v == "active" else _("未进入法律程序")
                                                 for v in rule["legal"]))
    team = names["teams"].get(rule["team"], _("公共池")) if rule["team"] else _("公共池")
    how = []
    if rule["team"]:
        how.append(dict(METHOD_CHOICES)[rule["method"]])
        if rule["method"] == "skill":
            how.append(str(dict(SKILL_CHOICES)[rule["skill"]]))
        how.append(_("留案") if rule["sticky"] else _("不留案"))
        if rule["rotate_days"]:
            how.append(_("无承诺 %(n)s 天轮换") % {"n": rule["rotate_days"]})
        if rule["exclude_days"]:
            how.append(_("%(n)s 天内持有过的催收员不再分到") % {"n": rule["exclude_days"]})
    return {"rule": rule, "conditions": conds or [_("所有案件")], "team": team, "how": [str(h) for h in how]}


def _names() -> dict:
    return {"creditors": dict(Creditor.objects.values_list("id", "name")),
            "products": {p.pk: str(p) for p in Product.objects.select_related("creditor")},
            "placements": {p.pk: str(p) for p in Placement.objects.select_related("creditor")},
            "teams": selectors.team_names()}


@login_required
def rules(request):
    require_capability(request.user, Capability.ALLOCATION_RULES)
    current = selectors.current_rule_set()
    names = _names()
    shown = current
    if request.GET.get("version"):
        shown = get_object_or_404(RuleSet, version=request.GET["version"])
    changes = {ev.object_id: ev.changes for ev in _save_events()}
    versions = list(RuleSet.objects.select_related("created_by")[:50])
    for v in versions:
        v.change = changes.get(str(v.pk), {})
    return render(request, "allocation/rules.html", {
        "current": current, "shown": shown,
        "described": [describe(r, names) for r in allocrules.normalise(shown.rules)] if shown else [],
        "versions": versions, "runs": AllocationRun.objects.select_related("rule_set", "actor")[:10]})


def _save_events():
    from concord.core.models import AuditEvent

    return AuditEvent.objects.filter(action="allocation.rules.save").order_by("-id")[:50]


@login_required
def edit(request):
    require_capability(request.user, Capability.ALLOCATION_RULES)
    current = selectors.current_rule_set()
    if request.method == "POST":
        formset = RuleFormSet(request.POST, prefix="r")
        note = VersionNoteForm(request.POST)
        if formset.is_valid() and note.is_valid():
            rules_ = [f.rule() for f in formset.ordered_forms if f not in formset.deleted_forms]
            rules_ += [f.rule() for f in formset.forms if f.cleaned_data and f not in formset.ordered_forms
                       and f not in formset.deleted_forms]
            try:
                rs = services.save_rules(request.user, rules_, note=note.cleaned_data["note"],
                                         based_on=note.cleaned_data["based_on"])
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("已保存为版本 %(v)s") % {"v": rs.version})
                return redirect("allocation-rules")
    else:
        initial = [RuleForm.initial_of(r) for r in (current.rules if current else [])]
        if request.GET.get("add") or not initial:
            initial.append(RuleForm.initial_of(allocrules.default_rule(f"R{len(initial) + 1}")))
        for i, row in enumerate(initial):
            row["ORDER"] = i + 1
        formset = RuleFormSet(initial=initial, prefix="r")
        note = VersionNoteForm(initial={"based_on": current.version if current else None})
    return render(request, "allocation/edit.html", {"formset": formset, "note": note, "current": current},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def rollback(request, version):
    require_capability(request.user, Capability.ALLOCATION_RULES)
    try:
        rs = services.rollback(request.user, version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已回滚：版本 %(old)s 的规则保存为版本 %(v)s") % {"old": version, "v": rs.version})
    return redirect("allocation-rules")


@login_required
def preview(request):
    """What the current rules would move: by team and by collector (cases and balance in and out) and each move
    with its rule and reason. Reads only."""
    require_capability(request.user, Capability.ALLOCATION_RULES)
    p = services.plan()
    if p is None:
        messages.error(request, _("还没有分案规则"))
        return redirect("allocation-rules")
    teams, users = selectors.team_names(), selectors.user_names()
    pool = _("公共池")
    by_team: dict = {}
    for (team, collector), row in p.by_collector.items():
        t = by_team.setdefault(team, {"name": teams.get(team, pool) if team else pool, "in": 0, "out": 0,
                                      "balance_in": Decimal(0), "balance_out": Decimal(0), "collectors": []})
        t["in"] += row["in"]
        t["out"] += row["out"]
        t["balance_in"] += _yuan(row["balance_in_fen"])
        t["balance_out"] += _yuan(row["balance_out_fen"])
        if team:
            t["collectors"].append({"name": users.get(collector, _("（组内未分配）")) if collector else _("（组内未分配）"),
                                    "in": row["in"], "out": row["out"], "balance_in": _yuan(row["balance_in_fen"]),
                                    "balance_out": _yuan(row["balance_out_fen"])})
    for t in by_team.values():
        t["collectors"].sort(key=lambda c: str(c["name"]))
    page = Paginator(p.moves, 100).get_page(request.GET.get("page"))
    from concord.cases.models import Case

    refs = dict(Case.objects.filter(pk__in=[m.case_id for m in page]).values_list("id", "reference"))
    rows = [{"case_id": m.case_id, "reference": refs.get(m.case_id, m.case_id),
             "from": " / ".join(filter(None, [teams.get(m.from_team, "") if m.from_team else str(pool),
                                              users.get(m.from_collector, "") if m.from_collector else ""])),
             "to": " / ".join(filter(None, [teams.get(m.to_team, "") if m.to_team else str(pool),
                                            users.get(m.to_collector, "") if m.to_collector else ""])),
             "rule": m.rule, "reason": services.reason_label(m.reason), "balance": _yuan(m.balance_fen)}
            for m in page]
    return render(request, "allocation/preview.html", {
        "plan": p, "by_team": sorted(by_team.values(), key=lambda t: str(t["name"])), "page": page, "rows": rows,
        "balance": _yuan(sum(m.balance_fen for m in p.moves)), "unassigned": p.summary["unassigned"],
        "reasons": sorted(((services.reason_label(k), v) for k, v in p.summary["by_reason"].items()),
                          key=lambda kv: -kv[1])})


@login_required
@require_POST
def apply(request):
    require_capability(request.user, Capability.ALLOCATION_RULES)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, _("缺少规则版本"))
        return redirect("allocation-preview")
    try:
        result = jobs.start_apply(request.user, expected_version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("allocation-preview")
    messages.success(request, result)
    return redirect("allocation-rules")
