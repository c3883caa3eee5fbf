"""Champion/challenger in the end-of-day run: cases are assigned reproducibly with the date, each case gets its
arm's treatments through the same engine path, the comparison reads per arm, and promoting a challenger makes its
tree the champion and ends the experiment."""
from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from concord.core.models import AuditEvent
from concord.eod import adapter
from concord.eod.models import CaseState
from concord.strategy import arms, experiments, report, selectors, services
from concord.strategy.models import ArmAssignment, Experiment, StrategyVersion

AS_OF = dt.date(2026, 11, 28)


def _letters(manager):
    tree = copy.deepcopy(selectors.champion().tree)
    tree["name"] = "Letters"
    for r in tree["rules"]:
        r["treatment"], r["channel"] = "letter_first", "letter"
    return services.save_version(manager, "letters", tree)


@pytest.mark.django_db
def test_an_experiment_splits_the_run_and_a_promotion_makes_the_champion(world):
    manager = world.users["manager"]
    adapter.run_eod(AS_OF)
    default = {c: t for c, t in CaseState.objects.values_list("case_id", "treatment")}
    challenger = _letters(manager)
    # a seed that puts cases in both arms (the world is small): the draw depends only on the seed and the case
    seed = next(s for s in range(1000) if {arms.arm_of(s, c, [50, 50]) for c in default} == {0, 1})
    exp = experiments.start(manager, 50, [(challenger.pk, 50)], seed=seed, note="letters first")
    run = adapter.run_eod(AS_OF)
    assert run.summary["strategy"] == f"default v1 · #{exp.pk}"
    assigned = {a.case_id: a for a in ArmAssignment.objects.filter(experiment=exp)}
    assert set(assigned) == set(default)
    assert all(a.assigned_on == AS_OF and a.arm == arms.arm_of(seed, a.case_id, [50, 50]) for a in assigned.values())
    states = dict(CaseState.objects.values_list("case_id", "treatment"))
    assert {a.arm for a in assigned.values()} == {0, 1}
    assert {states[c] for c, a in assigned.items() if a.arm == 0} != {"letter_first"}
    for case_id, a in assigned.items():
        assert states[case_id] == ("letter_first" if a.arm == 1 else default[case_id])
    assert AuditEvent.objects.filter(action="strategy.experiment.assign").count() == 1
    adapter.run_eod(AS_OF)                          # a second run assigns nobody again
    assert AuditEvent.objects.filter(action="strategy.experiment.assign").count() == 1

    figures = report.compare(exp)
    assert [f.arm for f in figures] == [0, 1] and sum(f.cases for f in figures) == len(assigned)
    assert figures[1].label == "letters v1" and figures[0].share == 50

    sv = experiments.promote(manager, exp, 1)
    exp.refresh_from_db()
    assert exp.status == Experiment.Status.ENDED and exp.promoted_arm == 1
    assert selectors.champion() == sv and sv.label == "default v2"
    run = adapter.run_eod(AS_OF)
    assert run.summary["strategy"] == "default v2"
    assert set(CaseState.objects.values_list("treatment", flat=True)) == {"letter_first"}
    with pytest.raises(ValidationError):
        experiments.promote(manager, exp, 1)


@pytest.mark.django_db
def test_a_bad_experiment_is_refused(world):
    manager = world.users["manager"]
    challenger = _letters(manager)
    champion = selectors.champion()
    for champ_share, challengers in ((60, [(challenger.pk, 30)]), (50, [(champion.pk, 50)]),
                                     (100, []), (40, [(challenger.pk, 30), (challenger.pk, 30)]),
                                     (50, [(999999, 50)])):
        with pytest.raises(ValidationError):
            experiments.start(manager, champ_share, challengers)
    assert not Experiment.objects.exists()
    exp = experiments.start(manager, 50, [(challenger.pk, 50)])
    with pytest.raises(ValidationError):
        experiments.start(manager, 50, [(challenger.pk, 50)])
    experiments.end(manager, exp)
    assert experiments.running() is None and selectors.champion() == champion


@pytest.mark.django_db
def test_the_comparison_counts_recovery_and_contacts_since_assignment(world):
    from concord.compliance.models import ContactAttempt
    from concord.loans.models import Payment

    manager = world.users["manager"]
    exp = experiments.start(manager, 50, [(_letters(manager).pk, 50)], seed=3)
    experiments.assign(None, AS_OF)
    a = ArmAssignment.objects.filter(experiment=exp).first()
    case = a.case
    account = case.accounts.first()
    before = sum(f.recovered_fen for f in report.compare(exp))
    Payment.objects.create(account=account, creditor=case.creditor, amount=Decimal("120.50"), channel="bank",
                           external_reference="T-1", paid_at=dt.datetime(2026, 11, 29, 10, tzinfo=dt.timezone.utc))
    Payment.objects.create(account=account, creditor=case.creditor, amount=Decimal("99.00"), channel="bank",
                           external_reference="T-0", paid_at=dt.datetime(2026, 11, 1, 10, tzinfo=dt.timezone.utc))
    ContactAttempt.objects.create(at=dt.datetime(2026, 11, 29, 3, tzinfo=dt.timezone.utc), debtor=case.debtor,
                                  case=case, channel="sms", outcome="sent")
    figures = {f.arm: f for f in report.compare(exp)}
    mine = figures[a.arm]
    assert sum(f.recovered_fen for f in figures.values()) - before == 12050     # the payment before is not counted
    assert mine.contacts >= 1 and mine.cost_fen >= report.costs_fen()["sms"]
    assert mine.per_case[0] == pytest.approx(sum(f.recovered_fen for f in [mine]) / 100 / mine.cases)


@pytest.mark.django_db
def test_migration_0003_recovers_the_champion_version_of_older_experiments(world):
    """Arm 0 left empty (as before the start recorded it): the start's audit event names the champion; without that
    event, the newest version of the live strategy saved by the start; the promotion's later version is never taken."""
    import importlib

    from django.apps import apps

    fill = importlib.import_module("concord.strategy.migrations.0003_champion_arm_version").fill
    manager = world.users["manager"]
    exp = experiments.start(manager, 50, [(_letters(manager).pk, 50)])
    experiments.promote(manager, exp, 1)                            # default v2 is the champion now
    exp.arms.filter(arm=0).update(version=None)
    fill(apps, None)
    assert exp.arms.get(arm=0).version.label == "default v1"        # from the audit event
    exp.arms.filter(arm=0).update(version=None)
    AuditEvent.objects.filter(action="strategy.experiment.start").update(changes={})
    exp.refresh_from_db()
    versions = StrategyVersion.objects.filter(strategy__code="default")
    versions.filter(version=1).update(created_at=exp.started_at - dt.timedelta(days=1))
    versions.filter(version=2).update(created_at=exp.started_at + dt.timedelta(hours=1))  # the promotion's
    fill(apps, None)
    assert exp.arms.get(arm=0).version.label == "default v1"        # the live strategy's newest at the start
