"""The strategy pages: strategies and their versions (read: managers and team leads — no case data; edit, roll back,
make live: those who configure), the tree editor, champion/challenger experiments with their comparison (book-wide
figures: those who configure) and promotion."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core.models import AuditEvent
from concord.staff.roles import Capability, may, require_capability

from . import experiments, forms, report, selectors, services
from . import tree as trees
from .models import Experiment, Strategy, StrategyVersion

MAX_ROWS = trees.MAX_RULES


def _read(request):
    require_capability(request.user, Capability.VIEW_REPORTS)
    return may(request.user, Capability.CONFIGURE)


@login_required
def index(request):
    can_edit = _read(request)
    strategies = list(Strategy.objects.all())
    return render(request, "strategy/index.html", {
        "strategies": strategies, "can_edit": can_edit, "running": experiments.running(),
        "experiments": Experiment.objects.select_related("started_by")[:20], "champion": selectors.champion()})


def _changes(strategy):
    events = AuditEvent.objects.filter(action="strategy.save", object_type="strategy.strategyversion",
                                       object_id__in=[str(v.pk) for v in strategy.versions.all()])
    return {ev.object_id: ev.changes for ev in events}


@login_required
def detail(request, code):
    can_edit = _read(request)
    strategy = get_object_or_404(Strategy, code=code)
    current = strategy.current
    shown = current
    if request.GET.get("version"):
        shown = get_object_or_404(StrategyVersion, strategy=strategy, version=request.GET["version"])
    changes = _changes(strategy)
    versions = list(strategy.versions.select_related("created_by")[:50])
    for v in versions:
        v.change = changes.get(str(v.pk), {})
    return render(request, "strategy/detail.html", {"strategy": strategy, "current": current, "shown": shown,
                                                    "rows": forms.rows_of(shown.tree), "versions": versions,
                                                    "can_edit": can_edit})


@login_required
def edit(request, code=None):
    """The tree editor: one row of inputs per rule; a new strategy (``code`` None) starts from ``?from=CODE``."""
    require_capability(request.user, Capability.CONFIGURE)
    strategy = get_object_or_404(Strategy, code=code) if code else None
    current = strategy.current if strategy else None
    errors: dict = {}
    if request.method == "POST":
        n = min(int(request.POST.get("rows") or 0), MAX_ROWS + 20)
        tree, rows = forms.tree_of(request.POST, n)
        new_code = code or request.POST.get("code", "").strip()
        note = request.POST.get("note", "")
        based_on = int(request.POST["based_on"]) if request.POST.get("based_on", "").isdigit() else None
        try:
            trees.normalise(tree, services.pack_caps())
        except trees.TreeError as exc:
            errors = services.problems_by_field(exc)
        if request.POST.get("add"):
            rows.append(forms.blank_row(max([int(r["rule_order"]) for r in rows if r["rule_order"].isdigit()] or [0])
                                        + 10))
            errors = {}
        elif not errors:
            try:
                sv = services.save_version(request.user, new_code, tree, note=note, based_on=based_on)
            except ValidationError as exc:
                errors = {"form": exc.messages}
            else:
                messages.success(request, _("已保存为 %(v)s") % {"v": sv.label})
                return redirect("strategy-detail", code=sv.strategy.code)
        form = {"code": new_code, "name": tree["name"], "description": tree["description"], "note": note,
                "based_on": based_on or "", "budget": {k: request.POST.get(f"budget-{k}", "") for k in trees.BUDGET_KEYS}}
    else:
        source = current or (get_object_or_404(Strategy, code=request.GET["from"]).current
                             if request.GET.get("from") else selectors.champion())
        tree = source.tree if source else {"name": "", "budget": {}, "rules": []}
        rows = forms.rows_of(tree) or [forms.blank_row(10)]
        form = {"code": code or "", "name": tree["name"], "description": tree.get("description", ""), "note": "",
                "based_on": current.version if current else "",
                "budget": {k: "" if (tree.get("budget") or {}).get(k) is None else tree["budget"][k]
                           for k in trees.BUDGET_KEYS}}
    table = []
    for i, row in enumerate(rows, 1):
        cells = []
        for field, label, choices in _columns():
            errs = errors.get(f"rules.{i}.{field}", []) + (errors.get(f"rules.{i}.offer", []) if field == "discount"
                                                         else [])
            cells.append({"name": f"r-{i - 1}-{field}", "field": field, "label": label, "value": row[field],
                          "choices": choices, "errors": errs})
        table.append({"cells": cells, "errors": errors.get(f"rules.{i}.rule", [])})
    budget_errors = {k: errors.get(f"budget.{k}", []) for k in trees.BUDGET_KEYS}
    return render(request, "strategy/edit.html", {
        "strategy": strategy, "table": table, "rows": len(rows), "form": form, "errors": errors,
        "budget_errors": budget_errors, "columns": _columns(), "caps": services.pack_caps()},
        status=400 if request.method == "POST" else 200)


def _columns():
    """The editor's columns: (field, label, choices or None)."""
    return [("rule_order", _("顺序"), None), ("segment", _("客群"), None), ("treatment", _("处置"), None),
            ("channel", _("渠道"), trees.CHANNELS), ("priority", _("优先级"), None),
            ("skill", _("技能"), ("",) + trees.SKILLS), ("buckets", _("账龄"), None),
            ("min_balance_fen", _("最低欠款（分）"), None), ("max_balance_fen", _("最高欠款（分）"), None),
            ("min_score", _("最低评分"), None), ("max_score", _("最高评分"), None),
            ("product_kind", _("产品"), ("",) + trees.PRODUCT_KINDS),
            ("promise_state", _("承诺状态"), ("",) + trees.PROMISE_STATES),
            ("held", _("暂停"), ("", "true", "false")), ("arrangement", _("还款方案"), ("", "true", "false")),
            ("legal_status", _("法律状态"), ("",) + trees.LEGAL_STATUSES),
            ("path", _("处置路径（天:动作）"), None), ("hours", _("偏好时段"), None),
            ("discount", _("最高减免 %"), None), ("months", _("最多期数"), None)]


@login_required
@require_POST
def rollback(request, code, version):
    require_capability(request.user, Capability.CONFIGURE)
    try:
        sv = services.rollback(request.user, code, version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已回滚：版本 %(old)s 保存为 %(v)s") % {"old": version, "v": sv.label})
    return redirect("strategy-detail", code=code)


@login_required
@require_POST
def make_live(request, code):
    require_capability(request.user, Capability.CONFIGURE)
    try:
        services.make_live(request.user, code)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(c)s 已生效：日终运行使用它的最新版本") % {"c": code})
    return redirect("strategy-index")


@login_required
def experiment_new(request):
    require_capability(request.user, Capability.CONFIGURE)
    champion = selectors.champion()
    candidates = StrategyVersion.objects.select_related("strategy").exclude(strategy__live=True).order_by(
        "strategy__code", "-version")
    errors: list[str] = []
    values = {"champion_share": "50", "note": "", "arms": [{"version": "", "share": ""} for _i in range(3)]}
    if request.method == "POST":
        values = {"champion_share": request.POST.get("champion_share", ""), "note": request.POST.get("note", ""),
                  "arms": [{"version": request.POST.get(f"arm-{i}-version", ""),
                            "share": request.POST.get(f"arm-{i}-share", "")} for i in range(3)]}
        try:
            champion_share = int(values["champion_share"])
            challengers = [(int(a["version"]), int(a["share"])) for a in values["arms"] if a["version"]]
        except ValueError:
            errors = [_("比例须为整数")]
        else:
            try:
                exp = experiments.start(request.user, champion_share, challengers, note=values["note"])
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("实验 #%(e)s 已开始：下次日终运行起分组") % {"e": exp.pk})
                return redirect("strategy-experiment", pk=exp.pk)
    return render(request, "strategy/experiment_new.html", {
        "champion": champion, "candidates": candidates, "errors": errors, "values": values,
        "running": experiments.running()}, status=400 if errors else 200)


@login_required
def experiment(request, pk):
    """The per-arm comparison: book-wide figures, so managers and administrators only (not team leads)."""
    require_capability(request.user, Capability.CONFIGURE)
    can_edit = True
    exp = get_object_or_404(Experiment.objects.select_related("started_by"), pk=pk)
    champion = selectors.champion()
    started = exp.arms.select_related("version__strategy").filter(arm=0).first()
    started = started.version if started else None
    # a running experiment whose champion was saved anew since the start: the arm runs the new version from then on
    changed = (champion if exp.status == Experiment.Status.RUNNING and started and champion
               and champion.pk != started.pk else None)
    return render(request, "strategy/experiment.html", {
        "experiment": exp, "figures": report.compare(exp), "can_edit": can_edit, "champion": champion,
        "champion_started": started, "champion_changed": changed, "costs": report.costs_fen()})


@login_required
@require_POST
def promote(request, pk, arm):
    require_capability(request.user, Capability.CONFIGURE)
    exp = get_object_or_404(Experiment, pk=pk)
    try:
        sv = experiments.promote(request.user, exp, arm)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("挑战者已晋升为冠军：%(v)s") % {"v": sv.label})
    return redirect("strategy-experiment", pk=pk)


@login_required
@require_POST
def end(request, pk):
    require_capability(request.user, Capability.CONFIGURE)
    exp = get_object_or_404(Experiment, pk=pk)
    try:
        experiments.end(request.user, exp)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("实验已结束，冠军不变"))
    return redirect("strategy-experiment", pk=pk)
