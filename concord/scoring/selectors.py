"""Read queries of the model registry, and the end-of-day run's scorecard provider."""
from __future__ import annotations

from .models import DriftCheck, ModelStatus, ScoringModel, Target

#: The target whose approved scorecard is the end-of-day run's ``score`` (the likelihood of paying soon).
EOD_TARGET = Target.PAID_30D


def live(target: str) -> ScoringModel | None:
    return ScoringModel.objects.filter(target=target, status=ModelStatus.APPROVED).first()


def live_models() -> list[ScoringModel]:
    return list(ScoringModel.objects.filter(status=ModelStatus.APPROVED).order_by("target"))


def live_scorecard(as_of) -> tuple[str, list] | None:
    """The provider registered with ``concord.eod.scorecards``: the approved paid_30d model's bins."""
    model = live(EOD_TARGET)
    if model is None:
        return None
    return f"{model.name} v{model.version}", model.bins


def registry() -> list[ScoringModel]:
    return list(ScoringModel.objects.select_related("approved_by", "created_by").order_by("target", "-version"))


def drift_of(model: ScoringModel, limit: int = 30) -> list[DriftCheck]:
    return list(model.drift_checks.order_by("-day")[:limit])
