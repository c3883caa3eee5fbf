"""The only writers of quality inspection and the scorecard's rubric; each action in one transaction with its audit
event.

* :func:`sample_day` — choose a day's calls for review: a seeded random share of each collector's connected calls, and
  every call with a complaint or a dispute on its case (within ``COMPLAINT_WINDOW`` after it), a prohibited word in
  its note, or flags of the automatic transcript checks. Idempotent: a rerun with the same seed picks the same calls
  and only adds the reasons found since.
* :func:`submit_review` — a supervisor scores a sampled call on the checklist (once per call).
* :func:`save_checklist` — managers edit the checklist.
* :func:`set_rubric` — managers set the scorecard's weights (a new version; the rules of ``scorecard.validate``).
"""
from __future__ import annotations

import datetime as dt
import math
import random
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.services import require
from concord.staff.roles import Capability, may

from . import scorecard
from .models import ChecklistItem, Reason, Review, Rubric, Sample

CONNECTED = ("conversation", "third_party")
COMPLAINT_WINDOW = dt.timedelta(days=7)
RESULTS = ("pass", "fail", "na")


def sample_rate() -> float:
    return float(getattr(settings, "CONCORD_QUALITY_SAMPLE_RATE", 0.05))


def sample_seed() -> str:
    return str(getattr(settings, "CONCORD_QUALITY_SEED", "concord"))


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _random_pick(calls: list, rate: float, seed: str, collector_id: int, day: dt.date) -> set[int]:
    """The random share of one collector's connected calls of one day: ceil(rate × n) of them, drawn with a generator
    seeded by (seed, collector, day), so the same inputs always draw the same calls."""
    ids = sorted(a.pk for a in calls if a.outcome in CONNECTED)
    k = min(len(ids), math.ceil(rate * len(ids))) if rate > 0 else 0
    return set(random.Random(f"{seed}:{collector_id}:{day.isoformat()}").sample(ids, k))


def reasons_for(activity, complaints: list, random_ids: set[int]) -> list[str]:
    """Why a call is sampled ([] when it is not): in the order of ``Reason``."""
    from concord.compliance import content

    found = set()
    if activity.pk in random_ids:
        found.add(Reason.RANDOM)
    for c in complaints:
        if c.case_id == activity.case_id and activity.at <= c.received_at <= activity.at + COMPLAINT_WINDOW:
            found.add(Reason.DISPUTE if c.kind == "dispute" else Reason.COMPLAINT)
    if "dispute" in (activity.result_codes or ()):
        found.add(Reason.DISPUTE)
    if content.check(activity.note or "", third_party=activity.outcome == "third_party"):
        found.add(Reason.NOTE_WORD)
    call = getattr(activity, "switch_call", None)
    if call is not None and call.quality_flags:
        found.add(Reason.TRANSCRIPT)
    return [r.value for r in Reason if r in found]


def sample_day(day: dt.date, *, rate: float | None = None, seed: str | None = None, actor=None) -> dict:
    """Sample the outbound calls of ``day`` (local); returns {calls, sampled, new, updated}."""
    from concord.cases.models import Activity
    from concord.compliance.models import Complaint

    rate = sample_rate() if rate is None else rate
    seed = sample_seed() if seed is None else seed
    require(0 <= rate <= 1, "rate", _("抽样比例须在 0 到 1 之间"))
    start, end = _day_bounds(day)
    calls = list(Activity.objects.filter(kind="call", direction="outbound", at__gte=start, at__lt=end,
                                         actor__isnull=False)
                 .select_related("case", "actor", "switch_call").order_by("id"))
    complaints = list(Complaint.objects.filter(case_id__in={a.case_id for a in calls}, received_at__gte=start,
                                               received_at__lt=end + COMPLAINT_WINDOW))
    by_collector: dict[int, list] = {}
    for a in calls:
        by_collector.setdefault(a.actor_id, []).append(a)
    random_ids: set[int] = set()
    for collector_id, theirs in by_collector.items():
        random_ids |= _random_pick(theirs, rate, seed, collector_id, day)
    new = updated = 0
    with transaction.atomic():
        existing = {s.activity_id: s for s in Sample.objects.select_for_update().filter(activity__in=calls)}
        for a in calls:
            reasons = reasons_for(a, complaints, random_ids)
            if not reasons:
                continue
            sample = existing.get(a.pk)
            if sample is None:
                sample = Sample.objects.create(activity=a, case=a.case, collector=a.actor, team_id=a.case.assigned_team_id,
                                               call_day=day, reasons=reasons, sampled_at=clock.now())
                audit.record(actor or "system:quality", "quality.sample", sample,
                             {"case": a.case.reference, "activity": a.pk, "reasons": reasons})
                new += 1
            elif set(reasons) - set(sample.reasons):
                merged = [r.value for r in Reason if r in set(reasons) | set(sample.reasons)]
                audit.record(actor or "system:quality", "quality.sample", sample,
                             {"reasons": [sample.reasons, merged]})
                sample.reasons = merged
                sample.save(update_fields=["reasons"])
                updated += 1
    return {"calls": len(calls), "sampled": Sample.objects.filter(activity__in=calls).count(), "new": new,
            "updated": updated}


def may_review(user) -> bool:
    return may(user, Capability.LEAD_TEAM)


def visible_samples(user):
    """The samples a supervisor may review: the whole book for a manager or an admin, a team lead their teams'
    (the team that held the case when it was sampled); nobody else."""
    from concord.core.access import own_team_ids

    if not may_review(user):
        return Sample.objects.none()
    qs = Sample.objects.select_related("case", "collector", "team", "activity")
    scope = getattr(user, "case_scope", "none")
    if scope == "book":
        return qs
    if scope == "team":
        return qs.filter(team_id__in=sorted(own_team_ids(user)))
    return qs.none()


def score_of(items: list[dict]) -> int:
    """The review's score 0–100: points of the passed items ÷ points of the applicable ones (not "na"), half-up."""
    applicable = sum(i["points"] for i in items if i["result"] != "na")
    passed = sum(i["points"] for i in items if i["result"] == "pass")
    return int((Decimal(100 * passed) / Decimal(applicable)).quantize(Decimal(1), ROUND_HALF_UP)) if applicable else 0


@transaction.atomic
def submit_review(actor, sample: Sample, results: dict, comments: str = "") -> Review:
    """Score ``sample`` on the active checklist: ``results`` maps each item's code to pass / fail / na."""
    if not may_review(actor):
        raise PermissionDenied(_("您的角色不能做质检"))
    if not visible_samples(actor).filter(pk=sample.pk).exists():
        raise PermissionDenied(_("您只能质检本组的通话"))
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    require(not Review.objects.filter(sample=sample).exists(), "sample", _("该通话已质检"))
    require(sample.collector_id != actor.pk, "sample", _("不能质检自己的通话"))
    ensure_checklist()
    checklist = list(ChecklistItem.objects.filter(active=True))
    require(bool(checklist), "results", _("质检清单没有启用的检查项"))
    errors = {}
    items = []
    for item in checklist:
        result = results.get(item.code)
        if result not in RESULTS:
            errors[f"item_{item.code}"] = [_("请选择“%(i)s”的结果") % {"i": item.label_zh}]
            continue
        items.append({"code": item.code, "label_zh": item.label_zh, "label_en": item.label_en, "points": item.points,
                      "breach": item.breach, "result": result})
    comments = (comments or "").strip()
    if len(comments) > 2000:
        errors["comments"] = [_("评语不能超过 2000 个字")]
    if errors:
        raise ValidationError(errors)
    require(any(i["result"] != "na" for i in items), "results", _("至少一项须为通过或未通过"))
    review = Review.objects.create(sample=sample, reviewer=actor, items=items, score=score_of(items),
                                   breaches=sum(1 for i in items if i["breach"] and i["result"] == "fail"),
                                   comments=comments, reviewed_at=clock.now())
    audit.record(actor, "quality.review", review, {"case": sample.case.reference, "collector": sample.collector_id,
                                                  "score": review.score, "breaches": review.breaches,
                                                  "results": {i["code"]: i["result"] for i in items}})
    return review


@transaction.atomic
def ensure_checklist() -> None:
    """Write the default checklist when there is none (the migration wrote it; a flushed database has lost it)."""
    from .defaults import DEFAULT_CHECKLIST

    if ChecklistItem.objects.exists():
        return
    for n, (code, zh, en, points, breach) in enumerate(DEFAULT_CHECKLIST, 1):
        ChecklistItem.objects.create(code=code, label_zh=zh, label_en=en, points=points, breach=breach, position=n)
    audit.record("system:quality", "quality.checklist_set", None, {"before": {}, "after": [c for c, *_ in DEFAULT_CHECKLIST]},
                 object_type="quality.checklist", object_id="checklist")


CHECKLIST_FIELDS = ("code", "label_zh", "label_en", "points", "breach", "position", "active")


@transaction.atomic
def save_checklist(actor, rows: list[dict]) -> list[ChecklistItem]:
    """Replace the checklist's items by ``rows`` (each: the fields of ``CHECKLIST_FIELDS``, ``id`` for an existing
    item). Items are never deleted (past reviews name them): switch one off with ``active``."""
    if not may(actor, Capability.CONFIGURE):
        raise PermissionDenied(_("只有经理可以修改质检清单"))
    errors = {}
    codes = [r.get("code") for r in rows]
    for n, r in enumerate(rows, 1):
        if not r.get("code") or not str(r["code"]).replace("_", "").isalnum():
            errors[f"row{n}_code"] = [_("第 %(n)d 行：代码只能是字母、数字和下划线") % {"n": n}]
        elif codes.count(r["code"]) > 1:
            errors[f"row{n}_code"] = [_("第 %(n)d 行：代码重复") % {"n": n}]
        if not (r.get("label_zh") or "").strip() or not (r.get("label_en") or "").strip():
            errors[f"row{n}_label"] = [_("第 %(n)d 行：请填写中英文检查项") % {"n": n}]
        if not isinstance(r.get("points"), int) or not 0 < r["points"] <= 100:
            errors[f"row{n}_points"] = [_("第 %(n)d 行：分值须为 1 到 100 的整数") % {"n": n}]
    if not errors and not any(r.get("active") for r in rows):
        errors["__all__"] = [_("至少启用一个检查项")]
    if errors:
        raise ValidationError(errors)
    before = {i.code: {f: getattr(i, f) for f in CHECKLIST_FIELDS} for i in ChecklistItem.objects.all()}
    known = {i.pk: i for i in ChecklistItem.objects.select_for_update()}
    out = []
    for r in rows:
        item = known.get(r.get("id")) or ChecklistItem()
        for f in CHECKLIST_FIELDS:
            setattr(item, f, r[f].strip() if isinstance(r[f], str) else r[f])
        item.save()
        out.append(item)
    after = {i.code: {f: getattr(i, f) for f in CHECKLIST_FIELDS} for i in ChecklistItem.objects.all()}
    audit.record(actor, "quality.checklist_set", None, {"before": before, "after": after},
                 object_type="quality.checklist", object_id="checklist")
    return out


def rubric_messages(problems: list[scorecard.Problem]) -> dict:
    """The refusals of ``scorecard.validate`` in the reader's language, by field."""
    from .labels import measure_labels

    names = measure_labels()
    groups = {"complaints": _("投诉"), "compliance": _("合规（闸门拒绝与质检违规）"), "quality": _("质检得分")}
    out: dict = {}
    for p in problems:
        if p.code == "unknown":
            msg = _("未知指标：%(m)s") % {"m": p.field}
        elif p.code == "negative":
            msg = _("权重须为非负整数")
        elif p.code == "total":
            msg = _("权重合计须为 100（现为 %(t)s）") % {"t": p.params["total"]}
        elif p.code == "money_over_half":
            msg = _("回收金额类指标的权重（%(m)s）超过总权重的一半：只看金额的考核会促使暴力催收，监管要求催收员考核"
                    "兼顾投诉、合规与服务质量") % {"m": p.params["money"]}
        else:
            msg = _("“%(g)s”必须有权重：计分卡不能只凭回收业绩排名") % {"g": groups[p.params["group"]]}
        key = p.field if p.field in names or p.field == "__all__" else "__all__"
        out.setdefault(key, []).append(msg)
    return out


def current_rubric() -> Rubric | None:
    return Rubric.objects.first()


def current_weights() -> dict:
    rubric = current_rubric()
    return dict(rubric.weights) if rubric else dict(scorecard.DEFAULT_WEIGHTS)


@transaction.atomic
def set_rubric(actor, weights: dict, note: str = "") -> Rubric:
    if not may(actor, Capability.CONFIGURE):
        raise PermissionDenied(_("只有经理可以设定计分卡权重"))
    problems = scorecard.validate(weights)
    if problems:
        raise ValidationError(rubric_messages(problems))
    before = current_weights()
    rubric = Rubric.objects.create(weights={m: weights.get(m, 0) for m in scorecard.MEASURES}, note=(note or "")[:200],
                                   created_by=actor if getattr(actor, "pk", None) else None, created_at=clock.now())
    audit.record(actor, "quality.rubric_set", rubric, {"weights": [before, rubric.weights], "note": rubric.note})
    return rubric
