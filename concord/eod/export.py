"""Export the application database into an engine snapshot (Arrow tables), for the EOD adapter.

Bulk tables (accounts, instalments, payments, persons, cases, contacts) are read with one SQL query each through
:mod:`concord.eod.dbio`; small ones (creditors, products, teams, collectors, holds) through the ORM. Optional
inputs (promises, arrangement instalments) are empty when their app or table does not exist.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.apps import apps
from django.db import connection
from django.utils import timezone

from concord.core import clock
from concord.eod import dbio, schema
from concord.staff.roles import Capability, Role, roles_with

AGREED_ARRANGEMENT = ("approved", "active", "completed", "broken")
CONTACT_DAYS = 60  # contact history read for the score (30 days) and the pack windows


def _t(model_label: str) -> str:
    return apps.get_model(model_label)._meta.db_table


def _sch(name: str) -> pa.Schema:
    return schema.INPUT_TABLES[name][0]


@dataclass
class Export:
    tables: dict[str, pa.Table]
    accounts_db: pa.Table          # the account columns as stored (before any rerun roll-back)
    cases_db: pa.Table             # case_id, total_fen, max_dpd, bucket, status as stored
    notes: list[str] = field(default_factory=list)
    allocation_rules: str | None = None  # the current allocation rule set (JSON) the engine is handed


def export(as_of: dt.date) -> Export:
    notes: list[str] = []
    t: dict[str, pa.Table] = {}
    t["creditors"] = _creditors()
    t["products"] = _products()
    t["persons"] = dbio.read(f"SELECT id, time_zone, deceased FROM {_t('debtors.Debtor')}", _sch("persons"))
    cases_full = dbio.read(_cases_sql(), _CASES_DB, money=("total_fen",))
    t["cases"] = _start_assignment(cases_full, as_of)
    t["case_segments"] = case_segments(cases_full, as_of)
    t["teams"], t["collectors"] = _teams_and_collectors(t["cases"])
    t["cases"] = _unknown_collectors_to_null(t["cases"], t["collectors"])
    acc = dbio.read(_accounts_sql(), _ACCOUNTS_DB, money=_ACCOUNT_MONEY)
    ids = acc.column("account_id")
    # instalments and payments of the accounts in the run (those with a case): filtered here, not joined in SQL
    inst = dbio.read(_instalments_sql(), _sch("instalments"),
                     money=("principal_due_fen", "interest_due_fen", "principal_paid_fen", "interest_paid_fen"))
    t["instalments"] = inst.filter(pc.is_in(inst.column("account_id"), ids))
    pay = dbio.read(_payments_sql(as_of), _sch("payments"), money=("amount_fen",))
    t["payments"] = pay.filter(pc.is_in(pay.column("account_id"), ids))
    t["promises"] = _promises(as_of, notes)
    t["arrangement_instalments"] = _arrangement_instalments(notes)
    t["holds"] = _holds()
    t["contacts"] = dbio.read(_contacts_sql(as_of), _sch("contacts"),
                              [timezone.make_aware(dt.datetime.combine(as_of - dt.timedelta(days=CONTACT_DAYS),
                                                                       dt.time()))])
    rules = allocation_rules()
    if rules is not None:
        t.update(_allocation_inputs(as_of, rules))
    return Export(tables=t, accounts_db=acc, cases_db=cases_full, notes=notes, allocation_rules=rules)


def allocation_rules() -> str | None:
    """The current allocation rule set (``allocation.RuleSet``, the newest version) as the engine takes it:
    ``{"version", "rules"}`` as JSON; None when there is none (the built-in allocation by the teams' buckets)."""
    import json

    try:
        model = apps.get_model("allocation", "RuleSet")
    except LookupError:
        return None
    current = model.objects.order_by("-version").first()
    if current is None:
        return None
    return json.dumps({"version": current.version, "rules": current.rules}, ensure_ascii=False)


def _allocation_inputs(as_of: dt.date, rules_json: str) -> dict[str, pa.Table]:
    """What the allocation rules read beyond the case (``case_facts``), the recent holders of each case and each
    collector's balance capacity — the facts ``concord.allocation.selectors`` reads for the preview."""
    import json

    days = max([int(r.get("exclude_days") or 0) for r in json.loads(rules_json)["rules"]] + [0])
    facts = case_facts()
    since = timezone.make_aware(dt.datetime.combine(as_of - dt.timedelta(days=days), dt.time()))
    holders = dbio.read(f"""SELECT case_id, collector_id, {dbio.local_date('ended_at', as_of)}
        FROM {_t('cases.Assignment')} WHERE collector_id IS NOT NULL AND ended_at IS NOT NULL AND ended_at >= %s""",
                        _sch("holders"), [dbio.ts(since)]) if days else _sch("holders").empty_table()
    limits = dbio.read(f"SELECT id, {dbio.fen('balance_capacity')} FROM {_t('staff.User')} "
                       "WHERE balance_capacity > 0", _sch("collector_limits"))
    return {"case_facts": facts, "holders": holders, "collector_limits": limits}


# -- bulk tables -----------------------------------------------------------------------------------------------
_ACCOUNTS_DB = pa.schema(list(_sch("accounts")) + [
    ("balances_as_of", schema.DATE), ("dpd", schema.I64), ("bucket", schema.STR),
    ("st_as_of", schema.DATE), ("st_bucket", schema.STR), ("st_prev_bucket", schema.STR),
    ("st_penalty_before_fen", schema.I64), ("st_fees_before_fen", schema.I64)])

_ACCOUNT_MONEY = ("contract_amount_fen", "principal_balance_fen", "interest_balance_fen", "penalty_balance_fen",
                  "fees_balance_fen", "credit_balance_fen", "interest_charged_fen", "penalty_accrued_fen",
                  "fees_accrued_fen")

_CASES_DB = pa.schema(list(_sch("cases")) + [("total_fen", schema.I64), ("max_dpd", schema.I64),
                                               ("bucket", schema.STR), ("st_as_of", schema.DATE), ("st_status", schema.STR),
                                               ("st_team_id", schema.I64), ("st_collector_id", schema.I64),
                                               ("st_assigned_on", schema.DATE), ("st_segment", schema.STR),
                                               ("st_segment_since", schema.DATE),
                                               ("st_start_segment", schema.STR),
                                               ("st_start_segment_since", schema.DATE)])


def _accounts_sql() -> str:
    f = dbio.fen
    return f"""SELECT a.id, a.case_id, a.product_id, a.status, a.start_date, {f('a.contract_amount')},
        {f('a.principal_balance')}, {f('a.interest_balance')}, {f('a.penalty_balance')}, {f('a.fees_balance')},
        {f('a.credit_balance')}, {f('a.interest_charged')}, {f('a.penalty_accrued')}, {f('a.fees_accrued')},
        a.bucket, a.balances_as_of, a.dpd, a.bucket, s.as_of, s.bucket, s.prev_bucket, s.penalty_before_fen,
        s.fees_before_fen
        FROM {_t('loans.LoanAccount')} a LEFT JOIN {_t('eod.AccountState')} s ON s.account_id = a.id
        WHERE a.case_id IS NOT NULL"""


def _instalments_sql() -> str:
    f = dbio.fen
    return f"""SELECT account_id, number, due_date, {f('principal_due')}, {f('interest_due')},
        {f('principal_paid')}, {f('interest_paid')} FROM {_t('loans.Instalment')}"""


def _payments_sql(as_of) -> str:
    # every payment in the database is posted (record_payment applies it at once): the engine uses them for
    # promises and the score, not to move balances again
    true = "TRUE" if dbio.is_postgres() else "1"
    return f"""SELECT id, account_id, {dbio.fen('amount')}, {dbio.local_date('paid_at', as_of)}, {true},
        CASE WHEN reversed_at IS NULL THEN {'FALSE' if dbio.is_postgres() else '0'} ELSE {true} END
        FROM {_t('loans.Payment')}"""


def _cases_sql() -> str:
    return f"""SELECT c.id, c.creditor_id, c.debtor_id, c.status, c.assigned_team_id, c.assigned_collector_id,
        {dbio.local_date('o.started', clock.today())}, {dbio.fen('c.total_balance')}, c.max_dpd, c.bucket,
        s.as_of, s.start_status, s.start_team_id, s.start_collector_id, s.start_assigned_on, s.segment,
        COALESCE(s.segment_since, s.as_of), s.start_segment, s.start_segment_since
        FROM {_t('cases.Case')} c LEFT JOIN (SELECT case_id, MAX(started_at) AS started
            FROM {_t('cases.Assignment')} WHERE ended_at IS NULL GROUP BY case_id) o ON o.case_id = c.id
        LEFT JOIN {_t('eod.CaseState')} s ON s.case_id = c.id"""


def _contacts_sql(as_of) -> str:
    return f"""SELECT debtor_id, {dbio.local_date('at', as_of)}, channel, outcome
        FROM {_t('compliance.ContactAttempt')} WHERE party_kind = 'debtor' AND at >= %s"""


# -- small tables through the ORM ------------------------------------------------------------------------------
def _creditors() -> pa.Table:
    from concord.creditors.models import Creditor

    rows = list(Creditor.objects.values_list("id", "policy_pack"))
    return pa.table({"creditor_id": pa.array([r[0] for r in rows], pa.int64()),
                     "policy_pack": pa.array([r[1] for r in rows], pa.string())})


def _products() -> pa.Table:
    from concord.creditors.models import Product

    rows = []
    for p in Product.objects.all():
        rows.append({"product_id": p.pk, "creditor_id": p.creditor_id, "kind": p.kind,
                     "penalty_daily_rate_e6": int((p.penalty_daily_rate * 1_000_000).to_integral_value()),
                     "compound_on_interest": p.compound_on_interest, "grace_days": p.grace_days,
                     "late_fee_fen": int((p.late_fee * 100).to_integral_value()),
                     "total_cost_cap_rate_e4": None if p.total_cost_cap_rate is None
                     else int((p.total_cost_cap_rate * 10_000).to_integral_value()),
                     "waterfall": ",".join(p.waterfall), "promise_grace_days": p.promise_grace_days})
    return pa.Table.from_pylist(rows, schema=_sch("products"))


def _teams_and_collectors(cases: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Teams with the buckets they work and the skills of their members (a field agent brings ``field``);
    collectors: active collectors, team leads and field agents with a team. A user a case is assigned to who is
    not one of them (left, changed role, no team) is listed as inactive, so the case moves (collector_inactive)."""
    from concord.staff.models import Team, User

    teams = list(Team.objects.order_by("id"))
    users = list(User.objects.filter(role__in=roles_with(Capability.TAKE_CASES), team__isnull=False).order_by("id"))
    skills: dict[int, set] = {t.pk: set() for t in teams}
    crow = []
    for u in users:
        own = {str(s) for s in (u.skills or [])} | ({"field"} if u.role == Role.FIELD_AGENT else set())
        if u.is_active:
            skills[u.team_id] |= own
        crow.append({"collector_id": u.pk, "team_id": u.team_id, "capacity": int(u.capacity),
                     "skills": ",".join(sorted(own)), "active": bool(u.is_active)})
    known = {r["collector_id"] for r in crow}
    referenced = {c for c in cases.column("collector_id").to_pylist() if c is not None} - known
    if referenced and teams:
        for uid in sorted(referenced):
            crow.append({"collector_id": uid, "team_id": teams[0].pk, "capacity": 0, "skills": "", "active": False})
    trow = [{"team_id": t.pk, "buckets": ",".join(t.buckets or []), "skills": ",".join(sorted(skills[t.pk]))}
            for t in teams]
    return (pa.Table.from_pylist(trow, schema=_sch("teams")), pa.Table.from_pylist(crow, schema=_sch("collectors")))


def _start_assignment(cases: pa.Table, as_of: dt.date) -> pa.Table:
    """The engine's case input. On a rerun for the same date the allocation starts from the status and assignment
    the first run started from (kept in ``eod_casestate``), so it makes the same decisions again."""
    rerun = pc.fill_null(pc.equal(cases.column("st_as_of"), pa.scalar(as_of, pa.date32())), False)
    out = cases.select(_sch("cases").names)
    for col, st in (("status", "st_status"), ("team_id", "st_team_id"), ("collector_id", "st_collector_id"),
                    ("assigned_on", "st_assigned_on")):
        i = out.schema.get_field_index(col)
        out = out.set_column(i, col, pc.if_else(rerun, cases.column(st), out.column(col)))
    return out


def case_segments(cases: pa.Table, as_of: dt.date) -> pa.Table:
    """The engine's ``case_segments`` input: each case's segment after the last run and the date it entered it
    (``eod_casestate``). On a rerun for the same date, the segment that run started from, so it carries the same
    dates over again."""
    rerun = pc.fill_null(pc.equal(cases.column("st_as_of"), pa.scalar(as_of, pa.date32())), False)
    segment = pc.if_else(rerun, cases.column("st_start_segment"), cases.column("st_segment"))
    since = pc.if_else(rerun, cases.column("st_start_segment_since"), cases.column("st_segment_since"))
    out = pa.table({"case_id": cases.column("case_id"), "segment": segment, "segment_since": since},
                   schema=_sch("case_segments"))
    keep = pc.and_(pc.and_(pc.is_valid(segment), pc.not_equal(pc.fill_null(segment, ""), "")), pc.is_valid(since))
    return out.filter(keep)


def case_facts() -> pa.Table:
    """What the allocation rules and the strategy's ``legal_status`` read beyond the case: its first product, its
    placement, the debtor's province, city and language, and its legal status — ``active`` (an active legal
    case), ``closed`` (legal cases, all closed) or ``none``."""
    c, d = _t("cases.Case"), _t("debtors.Debtor")
    a, lg = _t("loans.LoanAccount"), _t("legal.LegalCase")
    return dbio.read(f"""SELECT c.id, pr.product_id, c.placement_id, d.province, d.city, d.locale,
            CASE WHEN lg.active > 0 THEN 'active' WHEN lg.case_id IS NOT NULL THEN 'closed' ELSE 'none' END
        FROM {c} c JOIN {d} d ON d.id = c.debtor_id
        LEFT JOIN (SELECT case_id, MIN(product_id) AS product_id FROM {a} WHERE case_id IS NOT NULL
                   GROUP BY case_id) pr ON pr.case_id = c.id
        LEFT JOIN (SELECT case_id, SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS active FROM {lg}
                   GROUP BY case_id) lg ON lg.case_id = c.id""", _sch("case_facts"))


def _unknown_collectors_to_null(cases: pa.Table, collectors: pa.Table) -> pa.Table:
    col = cases.column("collector_id")
    missing = pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, collectors.column("collector_id"))))
    if not pc.any(missing).as_py():
        return cases
    i = cases.schema.get_field_index("collector_id")
    return cases.set_column(i, "collector_id", pc.if_else(missing, pa.scalar(None, pa.int64()), col))


def _holds() -> pa.Table:
    """Every hold (a creditor- or account-scoped hold stops the person's whole queue: the strict reading)."""
    from concord.compliance.models import Hold

    rows = []
    for debtor, kind, placed, until, released in Hold.objects.values_list(
            "debtor_id", "kind", "placed_at", "until", "released_at"):
        start = timezone.localtime(placed).date()
        ends = [timezone.localtime(x).date() for x in (until, released) if x is not None]
        end = max(min(ends), start) if ends else None
        rows.append({"person_id": debtor, "kind": kind, "starts_on": start, "ends_on": end})
    return pa.Table.from_pylist(rows, schema=_sch("holds"))


def _promises(as_of, notes) -> pa.Table:
    """Open and resolved promises (``workbench.Promise``; superseded ones are left out). A promise recorded after
    its due date counts from its due date."""
    try:
        model = apps.get_model("workbench", "Promise")
        names = {f.name for f in model._meta.get_fields()}
        if not {"case", "amount", "due_date", "made_at"} <= names:
            raise LookupError
    except LookupError:
        notes.append("promises: no workbench.Promise model with case/amount/due_date/made_at; none used")
        return _sch("promises").empty_table()
    superseded = "AND status <> 'superseded'" if "status" in names else ""
    made = dbio.local_date("made_at", as_of)
    sql = f"""SELECT id, case_id, {dbio.fen('amount')}, CASE WHEN {made} > due_date THEN due_date ELSE {made} END,
        due_date FROM {model._meta.db_table} WHERE 1 = 1 {superseded}"""
    return dbio.read(sql, _sch("promises"), money=("amount_fen",))


def _arrangement_instalments(notes) -> pa.Table:
    """Instalments of negotiated arrangements, when the ``arrangements`` app provides them: a model with a
    foreign key ``arrangement`` (whose model has ``case`` and ``grace_days``) and ``number``, ``due_date``,
    ``amount`` and a paid amount (``paid_amount`` or ``paid``); when the arrangement has a ``status``, only agreed
    ones (approved, active, completed, broken) count."""
    if not apps.is_installed("concord.arrangements"):
        notes.append("arrangements: app not installed; no arrangement instalments used")
        return _sch("arrangement_instalments").empty_table()
    for model in apps.get_app_config("arrangements").get_models():
        fields = {f.name: f for f in model._meta.get_fields() if getattr(f, "concrete", False)}
        paid = next((p for p in ("paid_amount", "paid") if p in fields), None)
        fk = fields.get("arrangement")
        if not (fk and paid and {"number", "due_date", "amount"} <= set(fields)):
            continue
        parent = fk.related_model
        if not {"case", "grace_days"} <= {f.name for f in parent._meta.get_fields()}:
            continue
        agreed = ""
        if "status" in {f.name for f in parent._meta.get_fields()}:  # proposed or rejected plans do not count
            agreed = "WHERE a.status IN (" + ", ".join(f"'{v}'" for v in AGREED_ARRANGEMENT) + ")"
        sql = f"""SELECT i.{fk.column}, a.case_id, i.number, i.due_date, {dbio.fen('i.amount')},
            {dbio.fen('i.' + fields[paid].column)}, a.grace_days
            FROM {model._meta.db_table} i JOIN {parent._meta.db_table} a ON a.id = i.{fk.column} {agreed}"""
        return dbio.read(sql, _sch("arrangement_instalments"), money=("amount_fen", "paid_fen"))
    notes.append("arrangements: no instalment model found; no arrangement instalments used")
    return _sch("arrangement_instalments").empty_table()


# -- rerun and back-dated payments -----------------------------------------------------------------------------
def prepare_accounts(acc: pa.Table, as_of: dt.date, restore_ids: np.ndarray) -> pa.Table:
    """The engine's account input. ``prev_bucket``: on a rerun for the same date, the one that run started from;
    after an earlier run, that run's bucket; never run, the stored bucket. For a rerun, and for the accounts in
    ``restore_ids`` (touched by a back-dated payment), the charges the last run added are taken back first
    (penalty and fees accrued go back to what they were before it), so the run recomputes them."""
    ids = acc.column("account_id").to_numpy()
    st = acc.column("st_as_of")
    st_valid = pc.is_valid(st).to_numpy(zero_copy_only=False)
    day = pa.scalar(as_of, pa.date32())
    rerun = pc.fill_null(pc.equal(st, day), False).to_numpy(zero_copy_only=False)
    restore = st_valid & (rerun | np.isin(ids, restore_ids))
    prev = pc.if_else(pa.array(rerun), acc.column("st_prev_bucket"),
                      pc.if_else(pa.array(st_valid), acc.column("st_bucket"), acc.column("bucket")))
    cols = {n: acc.column(n) for n in _sch("accounts").names}
    cols["prev_bucket"] = prev
    credit = acc.column("credit_balance_fen").to_numpy().copy()
    for kind in ("penalty", "fees"):
        accrued = acc.column(f"{kind}_accrued_fen").to_numpy()
        before = pc.fill_null(acc.column(f"st_{kind}_before_fen"), 0).to_numpy()
        new_acc = np.where(restore, np.minimum(before, accrued), accrued)
        bal = acc.column(f"{kind}_balance_fen").to_numpy() - (accrued - new_acc)
        credit += np.maximum(-bal, 0)  # a charge taken back that was already paid becomes a credit
        cols[f"{kind}_accrued_fen"] = pa.array(new_acc, pa.int64())
        cols[f"{kind}_balance_fen"] = pa.array(np.maximum(bal, 0), pa.int64())
    cols["credit_balance_fen"] = pa.array(credit, pa.int64())
    return pa.table(cols, schema=_sch("accounts"))


def database_label() -> str:
    return connection.vendor
