"""Reviews for the demo book (``concord quality demo-reviews``, run by ``concord seed``): a seeded share of the
sampled calls reviewed by their team's lead (the manager where the team has none), through ``submit_review`` like any
review. Most items pass; now and then one fails, rarely a breach. For demonstration data only."""
from __future__ import annotations

import random

from django.core.exceptions import PermissionDenied, ValidationError

from concord.staff.models import User

from . import services
from .models import ChecklistItem, Sample

PRAISE = ["开场规范，身份核实到位。", "对困难情况回应得体，可介绍个性化分期。", "注意语速，给债务人说话的时间。", ""]
ON_FAIL = {"identity_verified": "谈及欠款前未核实对方身份。", "disclosures_given": "开场未告知身份与来电目的。",
           "no_threats": "出现“后果自负”等威胁性表述，已转合规复核。",
           "no_third_party_disclosure": "向接听人透露了欠款信息，已转合规复核。",
           "respectful_tone": "语气略显生硬，注意文明用语。", "correct_outcome": "结果代码与通话内容不符，请更正。"}


def review_samples(*, seed: int, share: float) -> int:
    """Review ``share`` of the unreviewed samples (drawn with ``seed``); returns how many were reviewed."""
    rng = random.Random(f"quality-demo:{seed}")
    manager = User.objects.filter(role="manager", is_active=True).order_by("pk").first()
    services.ensure_checklist()
    items = list(ChecklistItem.objects.filter(active=True))
    done = 0
    for sample in Sample.objects.filter(review__isnull=True).select_related("team__lead").order_by("pk"):
        if rng.random() >= share:
            continue
        reviewer = sample.team.lead if sample.team and sample.team.lead_id else manager
        if reviewer is None or reviewer.pk == sample.collector_id:
            reviewer = manager
        results = {}
        for item in items:
            fail = rng.random() < (0.03 if item.breach else 0.12)
            results[item.code] = "fail" if fail else "pass"
        failed = [ON_FAIL.get(code, "") for code, r in results.items() if r == "fail"]
        comments = "".join(failed) if failed else rng.choice(PRAISE)     # the comment says what the scores say
        try:
            services.submit_review(reviewer, sample, results, comments)
        except (ValidationError, PermissionDenied):
            continue
        done += 1
    return done
