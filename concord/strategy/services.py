"""Strategy actions: save a strategy tree as a new version, roll back (an old version's tree saved as the newest),
make a strategy the live one, and write the shipped default when there is none. Each action one transaction with
its audit event. The tree is checked by :mod:`concord.strategy.tree` (pure), against every policy pack's caps."""
from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.compliance.packs import PACK_NAMES
from concord.core import audit, clock
from concord.eod import rules as eod_rules

from . import tree as trees
from .models import Strategy, StrategyVersion

DEFAULT_CODE = "default"

PROBLEMS = {
    "unknown_field": gettext_lazy("未知字段"), "not_a_number": gettext_lazy("应为整数"),
    "out_of_range": gettext_lazy("超出允许范围"), "not_a_boolean": gettext_lazy("应为是或否"),
    "bad_name": gettext_lazy("只能用小写字母、数字、下划线和连字符（最多 40 个）"),
    "unknown_channel": gettext_lazy("未知渠道"), "unknown_skill": gettext_lazy("未知技能"),
    "unknown_bucket": gettext_lazy("未知或重复的账龄"), "unknown_product": gettext_lazy("未知产品类型"),
    "unknown_promise_state": gettext_lazy("未知承诺状态"),
    "unknown_legal_status": gettext_lazy("未知法律状态（none、active 或 closed）"), "bad_path": gettext_lazy("处置路径格式不对"),
    "unknown_action": gettext_lazy("未知处置动作"), "path_order": gettext_lazy("处置路径的天数须递增且不重复"),
    "bad_hours": gettext_lazy("时段格式不对"), "empty_range": gettext_lazy("上限须大于下限"),
    "bad_offer": gettext_lazy("方案格式不对"), "duplicate_order": gettext_lazy("规则顺序重复"),
    "no_rules": gettext_lazy("至少需要一条规则"), "too_many_rules": gettext_lazy("规则太多"),
    "bad_title": gettext_lazy("名称必填（最多 80 个字符）"), "too_long": gettext_lazy("太长"),
    "not_an_object": gettext_lazy("格式不对"),
    "window_incomplete": gettext_lazy("窗口天数与窗口上限须同时填写"),
}


def pack_caps() -> dict[str, dict]:
    """Each policy pack's contact caps, from the same pack JSON the compliance gate reads."""
    out = {}
    for name in PACK_NAMES:
        b = eod_rules.pack_budget(name)
        out[name] = {"daily_max": b.daily_max, "window_days": b.window_days, "window_max": b.window_max}
    return out


def problem_text(code: str) -> str:
    if code.startswith("over_cap:"):
        _o, pack, cap = code.split(":", 2)
        return _("超过合规规则包 %(pack)s 的上限 %(cap)s：策略不能要求多于规则包允许的联系") % {"pack": pack, "cap": cap}
    return str(PROBLEMS.get(code, code))


def problems_by_field(exc: trees.TreeError) -> dict[str, list[str]]:
    """``{"rules.3.priority": [message], "budget.daily_max": [...], "name": [...]}``: errors shown beside fields."""
    out: dict[str, list[str]] = {}
    for n, field, code in exc.problems:
        key = field if n is None else f"rules.{n}.{field}"
        out.setdefault(key, []).append(problem_text(code))
    return out


def _error(exc: trees.TreeError) -> ValidationError:
    return ValidationError({"tree": [(_("规则 %(n)s · %(f)s：%(m)s") % {"n": n, "f": f, "m": problem_text(c)})
                                     if n is not None else f"{f}：{problem_text(c)}" for n, f, c in exc.problems]})


def check(tree: dict) -> dict:
    """The clean tree, or a ValidationError naming each rule, field and reason. Reads only."""
    try:
        return trees.normalise(tree, pack_caps())
    except trees.TreeError as exc:
        raise _error(exc) from exc


@transaction.atomic
def save_version(actor, code: str, tree: dict, *, note: str = "", based_on: int | None = None) -> StrategyVersion:
    """A new version of strategy ``code`` (created when new; the older versions stay, for history and roll back).
    ``based_on``: the version the editor started from; when someone saved another version meanwhile the save is
    refused."""
    try:
        trees._slug(code)
    except ValueError:
        raise ValidationError({"code": [problem_text("bad_name")]})
    clean = check(tree)
    if len(note) > 200:
        raise ValidationError({"note": [_("说明不能超过 200 个字符")]})
    strategy, created = Strategy.objects.get_or_create(code=code, defaults={"created_at": clock.now()})
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    current = strategy.versions.order_by("-version").first()
    if based_on is not None and current is not None and current.version != based_on:
        raise ValidationError({"tree": [_("策略已被他人修改为版本 %(v)s，请重新打开后再保存") % {"v": current.version}]})
    version = (current.version + 1) if current else 1
    sv = StrategyVersion.objects.create(strategy=strategy, version=version, tree=clean, note=note.strip(),
                                        based_on=current.version if current else None,
                                        created_by=actor if getattr(actor, "pk", None) else None,
                                        created_at=clock.now())
    audit.record(actor, "strategy.save", sv, {"strategy": code, "version": version, "based_on": sv.based_on,
                                              "note": sv.note, "created": created,
                                              **trees.diff(current.tree if current else {}, clean)})
    return sv


@transaction.atomic
def rollback(actor, code: str, version: int) -> StrategyVersion:
    """Make an earlier version's tree the current one again (as a new version: history is never rewritten)."""
    old = StrategyVersion.objects.filter(strategy__code=code, version=version).first()
    if old is None:
        raise ValidationError({"version": [_("版本不存在")]})
    return save_version(actor, code, old.tree, note=_("回滚到版本 %(v)s") % {"v": version})


@transaction.atomic
def make_live(actor, code: str) -> Strategy:
    """Make strategy ``code`` the live one: its newest version is the champion the end-of-day run applies."""
    strategy = Strategy.objects.select_for_update().filter(code=code).first()
    if strategy is None or not strategy.versions.exists():
        raise ValidationError({"code": [_("策略不存在")]})
    before = Strategy.objects.filter(live=True).exclude(pk=strategy.pk).first()
    Strategy.objects.filter(live=True).exclude(pk=strategy.pk).update(live=False)
    if not strategy.live:
        strategy.live = True
        strategy.save(update_fields=["live"])
    audit.record(actor, "strategy.make_live", strategy, {"before": before.code if before else None, "after": code})
    return strategy


def shipped_tree() -> dict:
    """The shipped ``eod/data/strategy.json`` as a tree (the first version of the default strategy)."""
    return trees.from_engine_json(json.loads((eod_rules.DATA / "strategy.json").read_text(encoding="utf-8")))


@transaction.atomic
def ensure_default() -> Strategy | None:
    """Write the shipped strategy as version 1 of the live ``default`` strategy when there is no strategy (the
    migration wrote it; a flushed database has lost it)."""
    if Strategy.objects.exists():
        return None
    save_version("system:strategy", DEFAULT_CODE, shipped_tree(), note=_("随系统提供的默认策略"))
    return make_live("system:strategy", DEFAULT_CODE)
