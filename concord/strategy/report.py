"""The champion/challenger comparison, per arm of an experiment, from the live tables: cases, recovery per case,
cost per yuan recovered, contacts, promises kept and complaints since each case's assignment, with 95% confidence
intervals (:mod:`concord.strategy.arms`). Reads only.

Contact costs per channel (fen per outbound attempt) are the population file's figures
(docs/strategy.md), overridable with the ``CONCORD_CONTACT_COSTS_FEN`` setting."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from concord.compliance.models import Complaint, ContactAttempt
from concord.core import clock
from concord.loans.models import Payment
from concord.workbench.models import Promise

from . import arms as armlib
from . import selectors
from .models import ArmAssignment, Experiment

DEFAULT_COSTS_FEN = {"call": 30, "sms": 5, "letter": 300, "visit": 8000, "email": 0, "wechat": 0}


def costs_fen() -> dict[str, int]:
    return {**DEFAULT_COSTS_FEN, **getattr(settings, "CONCORD_CONTACT_COSTS_FEN", {})}


@dataclass
class ArmFigures:
    arm: int
    label: str
    share: int
    cases: int = 0
    recovered_fen: int = 0
    cost_fen: int = 0
    contacts: int = 0
    promises: int = 0
    kept: int = 0
    complaints: int = 0
    per_case: tuple = (0.0, 0.0, 0.0)            # recovery per case (yuan): mean, low, high
    cost_per_yuan: tuple = (None, None, None)    # contact cost per yuan recovered: ratio, low, high
    by_channel: dict = field(default_factory=dict)
    #: the arm's contact budget per person (its version's tree; for arm 0 the champion's version recorded at the
    #: start): applied to the people of the arm by the end-of-day run, the strictest where a person's cases fall in
    #: several arms
    budget: dict = field(default_factory=dict)
    #: arm 0 without a recorded version (an experiment older than the record that migration 0003 could not
    #: recover): its label and budget are the current champion's
    current_champion: bool = False


def _since(rows, assigned):
    """Per case, the rows on or after its assignment date: ``rows`` are (case_id, date, ...)."""
    out = defaultdict(list)
    for case_id, day, *rest in rows:
        if case_id in assigned and day >= assigned[case_id]:
            out[case_id].append(rest)
    return out


def _day(ts: dt.datetime) -> dt.date:
    return clock.local_date(ts)


def compare(experiment: Experiment) -> list[ArmFigures]:
    arms = {a.arm: a for a in experiment.arms.select_related("version__strategy")}
    assigned = dict(ArmAssignment.objects.filter(experiment=experiment).values_list("case_id", "assigned_on"))
    arm_of = dict(ArmAssignment.objects.filter(experiment=experiment).values_list("case_id", "arm"))
    ids = list(assigned)
    pays = _since(((c, _day(t), a) for c, t, a in Payment.objects.filter(
        account__case_id__in=ids, reversed_at__isnull=True).values_list("account__case_id", "paid_at", "amount")),
        assigned)
    contacts = _since(((c, _day(t), ch) for c, t, ch in ContactAttempt.objects.filter(
        case_id__in=ids, direction="outbound").values_list("case_id", "at", "channel")), assigned)
    proms = _since(((c, _day(t), s) for c, t, s in Promise.objects.filter(case_id__in=ids).values_list(
        "case_id", "made_at", "status")), assigned)
    comps = _since(((c, _day(t)) for c, t in Complaint.objects.filter(case_id__in=ids).values_list(
        "case_id", "received_at")), assigned)
    cost = costs_fen()
    champion = selectors.champion()
    out = []
    for n in sorted(arms):
        a = arms[n]
        shown = a.version or champion  # the version the arm ran; the current champion only for an unrecorded arm 0
        tree = shown.tree if shown else {}
        f = ArmFigures(arm=n, label=shown.label if shown else "", share=a.share,
                       budget=dict(tree.get("budget") or {}), current_champion=a.version is None)
        rec, spent = [], []
        for c in (c for c in ids if arm_of[c] == n):
            r = sum(int(amount * 100) for (amount,) in pays.get(c, []))
            s = 0
            for (ch,) in contacts.get(c, []):
                s += cost.get(ch, 0)
                f.by_channel[ch] = f.by_channel.get(ch, 0) + 1
            f.cases += 1
            f.recovered_fen += r
            f.cost_fen += s
            f.contacts += len(contacts.get(c, []))
            f.promises += len(proms.get(c, []))
            f.kept += sum(1 for (st,) in proms.get(c, []) if st == "kept")
            f.complaints += len(comps.get(c, []))
            rec.append(r / 100)
            spent.append(s / 100)
        f.per_case = armlib.mean_ci(rec)
        f.cost_per_yuan = armlib.ratio_ci(spent, rec)
        out.append(f)
    return out
