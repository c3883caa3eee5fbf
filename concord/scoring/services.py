"""The actions of the model registry, each in one transaction with its audit event: train a model (a draft), approve
it (a manager: ``Capability.CONFIGURE``; the target's approved model before it is retired in the same transaction,
so only one is live), retire it, and record a day's drift (an alert past ``drift.ALERT``)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.staff.roles import Capability, may

from . import drift, features, training
from .models import DriftCheck, ModelStatus, ScoringModel, Target

DEFAULT_NAMES = {"paid_30d": "paid-30d", "promise_kept": "promise-kept", "self_cure_30d": "self-cure-30d"}


def _history():
    from concord.reports.capture import store

    return store()


def train_model(actor, target: str, start: dt.date, end: dt.date, *, name: str = "", every: int = 7,
                sample: float = 1.0, history=None, **options) -> ScoringModel:
    """Train a scorecard for ``target`` on the daily history's observation days from ``start`` to ``end`` and
    register it as a draft. Bad input (unknown target, empty period, too few events) raises ``ValidationError``
    and writes nothing."""
    if target not in Target.values:
        raise ValidationError(_("未知的目标：%(t)s（可选：%(all)s）") % {"t": target, "all": ", ".join(Target.values)})
    con = (history or _history()).connect()
    try:
        table = features.modelling_table(con, target, start, end, every=every, sample=sample)
        trained = training.train(table, target, **options)
        short = features.lookback_short(con, start)
        if short:
            trained["validation"]["lookback_short"] = short
    except (features.NoData, training.TrainingError, ValueError) as exc:
        raise ValidationError(str(exc)) from None
    finally:
        con.close()
    return register(actor, trained, start, end, name=name)


def register(actor, trained: dict, start: dt.date, end: dt.date, *, name: str = "") -> ScoringModel:
    with transaction.atomic():
        target = trained["target"]
        last = ScoringModel.objects.select_for_update().filter(target=target).aggregate(v=Max("version"))["v"]
        details = {k: trained[k] for k in ("dropped", "scaling", "coefficients", "iv", "bin_stats", "reference",
                                           "options")}
        model = ScoringModel.objects.create(
            name=(name or DEFAULT_NAMES[target])[:80], target=target, version=(last or 0) + 1,
            train_from=start, train_to=end,
            holdout_from=dt.date.fromisoformat(trained["validation"]["holdout_from"]),
            features=trained["features"], bins=trained["bins"], details=details,
            validation=trained["validation"], created_at=clock.now(),
            created_by=actor if getattr(actor, "pk", None) else None)
        audit.record(actor, "scoring.model.train", model, {
            "target": target, "version": model.version, "from": start.isoformat(), "to": end.isoformat(),
            "features": model.features, "holdout_auc": trained["validation"]["scorecard"]["holdout"]["auc"]})
    return model


def _check_manager(actor) -> None:
    if not may(actor, Capability.CONFIGURE):
        raise PermissionDenied(_("只有经理可以批准或停用评分模型"))


def approve(actor, model: ScoringModel) -> ScoringModel:
    """Make a draft the live model of its target; the target's approved model before it is retired."""
    _check_manager(actor)
    with transaction.atomic():
        model = ScoringModel.objects.select_for_update().get(pk=model.pk)
        if model.status != ModelStatus.DRAFT:
            raise ValidationError(_("只能批准草稿状态的模型（当前：%(s)s）") % {"s": model.get_status_display()})
        now = clock.now()
        for old in ScoringModel.objects.select_for_update().filter(target=model.target,
                                                                   status=ModelStatus.APPROVED):
            old.status, old.retired_at, old.retired_by = ModelStatus.RETIRED, now, actor
            old.save(update_fields=["status", "retired_at", "retired_by"])
            audit.record(actor, "scoring.model.retire", old, {"version": old.version, "replaced_by": model.version})
        model.status, model.approved_at, model.approved_by = ModelStatus.APPROVED, now, actor
        model.save(update_fields=["status", "approved_at", "approved_by"])
        audit.record(actor, "scoring.model.approve", model, {"target": model.target, "version": model.version})
    return model


def retire(actor, model: ScoringModel) -> ScoringModel:
    """Take a draft or the live model out of use (the expert scorecard scores again when the live one goes)."""
    _check_manager(actor)
    with transaction.atomic():
        model = ScoringModel.objects.select_for_update().get(pk=model.pk)
        if model.status == ModelStatus.RETIRED:
            raise ValidationError(_("该模型已停用"))
        was = model.status
        model.status, model.retired_at, model.retired_by = ModelStatus.RETIRED, clock.now(), actor
        model.save(update_fields=["status", "retired_at", "retired_by"])
        audit.record(actor, "scoring.model.retire", model, {"version": model.version, "was": was})
    return model


def record_drift(model: ScoringModel, day: dt.date, result: dict) -> DriftCheck:
    """Keep the day's PSI (replacing a check of the same day: a rerun) and alert the operators past the limit."""
    values = [v for v in [result["score"], *result["features"].values()] if v is not None]
    alert = any(v > drift.ALERT for v in values)
    with transaction.atomic():
        check, _created = DriftCheck.objects.update_or_create(
            model=model, day=day, defaults={"rows": result["rows"], "score_psi": result["score"],
                                            "feature_psi": result["features"], "alert": alert,
                                            "created_at": clock.now()})
        audit.record(None, "scoring.drift", check, {"model": model.label, "day": day.isoformat(),
                                                    "score_psi": result["score"], "alert": alert})
    if alert:
        from concord.operations import alerts
        from concord.operations.models import AlertKind

        worst = sorted(((v, k) for k, v in [("score", result["score"]), *result["features"].items()]
                        if v is not None), reverse=True)[:3]
        message = _("评分模型 %(model)s 在 %(day)s 发生漂移：%(items)s（PSI 超过 %(limit)s）") % {
            "model": model.label, "day": day.isoformat(), "limit": drift.ALERT,
            "items": "，".join(f"{k} {v:.3f}" for v, k in worst)}
        alerts.raise_alert(f"scoring:{model.pk}@{day.isoformat()}", AlertKind.DRIFT, message)
    return check
