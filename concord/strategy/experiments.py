"""Champion/challenger actions: start an experiment, assign cases to its arms (at the end-of-day run), promote a
challenger (its tree becomes the live strategy's newest version and the experiment ends) or end it. Each action one
transaction with its audit event. Pure arithmetic in :mod:`concord.strategy.arms`."""
from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.cases.models import ACTIVE_STATUSES, Case
from concord.core import audit, clock

from . import arms as armlib
from . import services
from .models import ArmAssignment, Experiment, ExperimentArm, Strategy, StrategyVersion

SHARE_PROBLEMS = {"arms": "需要一个冠军和 1 至 3 个挑战者", "share_range": "每组比例须为 1 至 99 的整数",
                  "share_sum": "各组比例之和须为 100%"}


def running() -> Experiment | None:
    return Experiment.objects.filter(status=Experiment.Status.RUNNING).first()


@transaction.atomic
def start(actor, champion_share: int, challengers: list[tuple[int, int]], *, note: str = "",
          seed: int | None = None) -> Experiment:
    """Start an experiment: the live strategy (arm 0, ``champion_share`` %, its newest version recorded as the arm's
    version) against ``challengers`` — ``(StrategyVersion id, share %)`` pairs, 1 to 3, versions of strategies other
    than the live one."""
    live = Strategy.objects.select_for_update().filter(live=True).first()
    if live is None:
        raise ValidationError({"challengers": [_("没有生效中的策略")]})
    if Experiment.objects.select_for_update().filter(status=Experiment.Status.RUNNING).exists():
        raise ValidationError({"challengers": [_("已有进行中的实验：请先结束或晋升")]})
    shares = [champion_share] + [s for _v, s in challengers]
    problem = armlib.check_shares(shares)
    if problem:
        raise ValidationError({"shares": [_(SHARE_PROBLEMS[problem])]})
    ids = [v for v, _s in challengers]
    if len(set(ids)) != len(ids):
        raise ValidationError({"challengers": [_("挑战者不能重复")]})
    versions = {v.pk: v for v in StrategyVersion.objects.select_related("strategy").filter(pk__in=ids)}
    for v in ids:
        if v not in versions:
            raise ValidationError({"challengers": [_("策略版本不存在")]})
        if versions[v].strategy_id == live.pk:
            raise ValidationError({"challengers": [_("挑战者须是其他策略的版本（生效策略的最新版本即冠军）")]})
    if len(note) > 200:
        raise ValidationError({"note": [_("说明不能超过 200 个字符")]})
    champion = live.current
    exp = Experiment.objects.create(seed=seed if seed is not None else secrets.randbelow(2**31), note=note.strip(),
                                    started_by=actor if getattr(actor, "pk", None) else None,
                                    started_at=clock.now())
    # the champion's version at the start is kept with arm 0: the experiment's page shows what the arm ran (its label,
    # its budget) also after a promotion or a later save has made another version the champion
    ExperimentArm.objects.create(experiment=exp, arm=0, version=champion, share=champion_share)
    for n, (v, share) in enumerate(challengers, 1):
        ExperimentArm.objects.create(experiment=exp, arm=n, version=versions[v], share=share)
    audit.record(actor, "strategy.experiment.start", exp, {
        "seed": exp.seed, "champion": champion.label, "champion_share": champion_share,
        "challengers": [{"arm": n, "version": versions[v].label, "share": s}
                        for n, (v, s) in enumerate(challengers, 1)], "note": exp.note})
    return exp


@transaction.atomic
def assign(actor, as_of) -> dict[int, int]:
    """Assign every active case not yet in the running experiment to an arm (``arms.arm_of``: the seed and the case
    id decide), recorded with the date. Returns the new assignments per arm (empty without an experiment)."""
    exp = Experiment.objects.select_for_update().filter(status=Experiment.Status.RUNNING).first()
    if exp is None:
        return {}
    shares = list(exp.arms.order_by("arm").values_list("share", flat=True))
    done = ArmAssignment.objects.filter(experiment=exp).values("case_id")
    new = list(Case.objects.filter(status__in=ACTIVE_STATUSES).exclude(pk__in=done).values_list("pk", flat=True))
    rows = [ArmAssignment(experiment=exp, case_id=c, arm=armlib.arm_of(exp.seed, c, shares), assigned_on=as_of)
            for c in sorted(new)]
    ArmAssignment.objects.bulk_create(rows, batch_size=2000)
    counts: dict[int, int] = {}
    for r in rows:
        counts[r.arm] = counts.get(r.arm, 0) + 1
    if rows:
        audit.record(actor, "strategy.experiment.assign", exp, {"on": as_of.isoformat(), "cases": len(rows),
                                                                "by_arm": {str(k): v for k, v in sorted(counts.items())}})
    return counts


@transaction.atomic
def promote(actor, experiment: Experiment, arm: int) -> StrategyVersion:
    """Make challenger ``arm`` the champion: its tree is saved as the live strategy's newest version (the live
    strategy's history keeps where it came from) and the experiment ends."""
    exp = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if exp.status != Experiment.Status.RUNNING:
        raise ValidationError({"arm": [_("实验已结束")]})
    row = exp.arms.select_related("version__strategy").filter(arm=arm).exclude(arm=0).first()
    if row is None:
        raise ValidationError({"arm": [_("没有这个挑战者")]})
    live = Strategy.objects.get(live=True)
    sv = services.save_version(actor, live.code, row.version.tree,
                               note=_("实验 #%(e)s 晋升挑战者 %(v)s") % {"e": exp.pk, "v": row.version.label})
    exp.status, exp.ended_at, exp.promoted_arm = Experiment.Status.ENDED, clock.now(), arm
    exp.save(update_fields=["status", "ended_at", "promoted_arm"])
    audit.record(actor, "strategy.experiment.promote", exp, {"arm": arm, "challenger": row.version.label,
                                                             "champion": sv.label})
    return sv


@transaction.atomic
def end(actor, experiment: Experiment) -> Experiment:
    """End the experiment without promoting: the champion stays."""
    exp = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if exp.status != Experiment.Status.RUNNING:
        raise ValidationError({"arm": [_("实验已结束")]})
    exp.status, exp.ended_at = Experiment.Status.ENDED, clock.now()
    exp.save(update_fields=["status", "ended_at"])
    audit.record(actor, "strategy.experiment.end", exp, {"promoted": None})
    return exp
