"""An arrangement breaks on the same day in the end-of-day run as in its own daily check: an instalment unpaid more
than the arrangement's grace days after its due date (``arrangements.calculator.first_missed``). Before, the run
waited 30 days whatever the arrangement said, so the two disagreed on days 6–30 of the default 5 grace days."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa

from concord.arrangements.calculator import first_missed
from concord.eod import engine, schema, synth

AS_OF = dt.date(2026, 11, 28)


def test_the_run_breaks_an_arrangement_when_its_daily_check_does():
    snap = synth.snapshot(60, seed=3, as_of=AS_OF)
    case_ids = snap["cases"].column("case_id").to_pylist()
    rows, expected, params = [], {}, {}
    arrangement = 0
    for grace in (0, 1, 5, 10, 30):
        for late in range(0, 36):                # the instalment fell due ``late`` days before the as-of date
            for paid_share in (0, 1, 2):          # nothing, half, all of it paid
                arrangement += 1
                params[arrangement] = (grace, late, paid_share)
                due = AS_OF - dt.timedelta(days=late)
                amount, paid = 10_000, 10_000 * paid_share // 2
                rows.append({"arrangement_id": arrangement, "case_id": case_ids[arrangement % len(case_ids)],
                             "number": 1, "due_date": due, "amount_fen": amount, "paid_fen": paid,
                             "grace_days": grace})
                later = due + dt.timedelta(days=30)
                rows.append({"arrangement_id": arrangement, "case_id": case_ids[arrangement % len(case_ids)],
                             "number": 2, "due_date": later, "amount_fen": amount, "paid_fen": 0,
                             "grace_days": grace})
                expected[arrangement] = first_missed([(due, amount, paid), (later, amount, 0)], AS_OF,
                                                     grace) is not None
    snap["arrangement_instalments"] = pa.Table.from_pylist(rows, schema.INPUT_TABLES["arrangement_instalments"][0])
    state = engine.run(snap, AS_OF).tables["arrangement_state"].to_pylist()
    broken = {r["arrangement_id"]: r["arrangement_broken"] for r in state}
    assert broken == expected
    # the disagreement that was: the default 5 grace days, nothing paid, 6 to 30 days late — broken by both now
    assert all(broken[a] for a, (grace, late, share) in params.items() if grace == 5 and 6 <= late <= 30 and not share)
