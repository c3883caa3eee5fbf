"""The live gate's reading side: the pure gate's inputs built from the database, and the house rules.

``person_history(debtor, at)`` reads one person's ledger and state across every creditor and debt into a pure
``History``; ``pack_for(creditor)`` loads the creditor's pack with its stricter overrides; ``evaluate_live``
runs the pure ``gate.evaluate`` and adds the house rules that are not pack rules:

* ``QUAL`` — a collector (collector, team lead, field agent) may make collection or location contacts only with a
  passed pre-job exam and a training (pre-job or annual refresher) unexpired on the local day (RULES.md CN4);
* ``CONTENT`` — the message text passes the prohibited-content checker (``concord.compliance.content``).

Nothing here writes; ``services.decide_contact`` stores what this returns.

Party ids given to the gate: ``D`` the debtor, ``R<id>`` a related party, ``A<id>`` an attorney. Debt ids are
``LoanAccount`` primary keys. Phone numbers reach the gate as keyed digit tokens (``number_token``): the ledger
never stores a phone number in clear, yet equal numbers compare equal however they were written.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection

from concord.core import pii
from concord.core.masking import mask_phone
from concord.staff.roles import Capability, may

from . import content as content_check
from .gate import evaluate
from .history import History
from .model import DEBTOR, ContactEvent, Decision, Denial, Request, StateEvent, number_key, to_us
from .packs import Pack, load_pack, tighten
from .reasons import explain

DEBTOR_KEY = "D"
LOOKBACK = dt.timedelta(days=32)          # every cap window (US4: 7 days) with a margin
PENDING = dt.timedelta(minutes=30)        # an allow without an outcome yet counts as a contact of unknown outcome
SINCE_EVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
GATED_PURPOSES = ("collection", "location")
RELATION_OF_ROLE = {"guarantor": "guarantor", "co_borrower": "co_borrower", "spouse": "spouse",
                    "emergency_contact": "friend", "other": "friend"}


def party_key(party_kind: str, related_party_id=None, attorney_id=None) -> str:
    if party_kind == "related":
        return f"R{related_party_id}"
    if party_kind == "attorney":
        return f"A{attorney_id}"
    return DEBTOR_KEY


def number_token(number: str | None) -> str:
    """A keyed digit token of a phone number ('' when there is none): equal for every way of writing one number,
    digits only so the pure gate's ``number_key`` keeps it as it is."""
    key = number_key(number) if number else None
    if not key:
        return ""
    raw = base64.b32decode(pii.blind_index("contact-number", key)[:16].upper())[:8]
    return "9" + str(int.from_bytes(raw, "big")).zfill(20)


def zone_of(debtor) -> ZoneInfo | None:
    try:
        return ZoneInfo(debtor.time_zone) if debtor.time_zone else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


# -- packs ------------------------------------------------------------------------------------------------------
_packs: dict[tuple[str, str], Pack] = {}


def pack_for(creditor, overrides: dict | None = None) -> Pack:
    """The creditor's policy pack, tightened with its stored overrides (or ``overrides`` when given)."""
    if overrides is None:
        from .models import CreditorPolicy
        found = _rows(f"SELECT overrides FROM {CreditorPolicy._meta.db_table} WHERE creditor_id = %s", [creditor.pk])
        overrides = _json(found[0][0]) if found else {}
    key = (creditor.policy_pack, json.dumps(overrides or {}, sort_keys=True))
    pack = _packs.get(key)
    if pack is None:
        base = load_pack(creditor.policy_pack)
        pack = _packs[key] = tighten(base, overrides) if overrides else base
    return pack


# -- history ----------------------------------------------------------------------------------------------------
def _debts(value) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(v) for v in value)


def _dt(value) -> dt.datetime | None:
    """A datetime read by a raw query: SQLite gives naive UTC text, PostgreSQL an aware datetime."""
    if value is None:
        return None
    parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _json(value):
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _minutes(value) -> int:
    t = value if isinstance(value, dt.time) else dt.time.fromisoformat(value)
    return t.hour * 60 + t.minute


def _param(value):
    return connection.ops.adapt_datetimefield_value(value)


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sql():
    """The two reads of ``person_history`` as plain SQL (built once): the live gate runs for every contact, and
    building ORM queries would be most of its cost."""
    from .models import (AttorneyRepresentation, CeaseRequest, Consent, ContactAttempt, ContactDecision, Hold,
                         InconvenientTime)
    q = connection.ops.quote_name
    att, dec = ContactAttempt._meta.db_table, ContactDecision._meta.db_table
    contacts = (
        f"SELECT a.{q('at')}, a.channel, a.direction, a.party_kind, a.related_party_id, a.attorney_id, a.accounts, "
        f"a.number_key, a.outcome, a.purpose FROM {att} a WHERE a.debtor_id = %s AND a.{q('at')} <= %s "
        f"AND (a.{q('at')} >= %s OR a.party_kind = 'related') "
        f"UNION ALL SELECT d.{q('at')}, d.channel, 'outbound', d.party_kind, d.related_party_id, d.attorney_id, "
        f"d.accounts, d.number_key, NULL, d.purpose FROM {dec} d WHERE d.debtor_id = %s AND d.allowed = %s "
        f"AND d.{q('at')} > %s AND d.{q('at')} <= %s AND d.released_at IS NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {att} x WHERE x.decision_id = d.id)")
    parts = []
    cols = ("{tag}, s.id, s.valid_from, s.valid_until, s.related_party_id, s.accounts, {channel}, {scope}, {start}, "
            "{end}, CAST(NULL AS BIGINT)")
    text, time = "CAST(NULL AS VARCHAR(20))", "CAST(NULL AS TIME)"
    for model, tag, extra in ((Consent, "consent", dict(channel="s.channel", scope="s.scope")),
                              (CeaseRequest, "cease", dict(channel="s.channel")),
                              (InconvenientTime, "inconvenient", dict(start=f"s.{q('start')}", end=f"s.{q('end')}")),
                              (AttorneyRepresentation, "attorney", {})):
        fields = dict(tag=f"'{tag}'", channel=text, scope=text, start=time, end=time) | extra
        parts.append(f"SELECT {cols.format(**fields)} FROM {model._meta.db_table} s WHERE s.debtor_id = %s "
                     f"AND s.valid_from <= %s AND (s.valid_until IS NULL OR s.valid_until > %s)")
    holds = (f"SELECT 'hold', h.id, h.placed_at, h.{q('until')}, h.creditor_id, NULL, h.kind, {text}, {time}, "
             f"{time}, h.account_id "
             f"FROM {Hold._meta.db_table} h WHERE h.debtor_id = %s AND h.placed_at <= %s "
             f"AND (h.released_at IS NULL OR h.released_at > %s)")
    from concord.debtors.models import RelatedParty
    from concord.loans.models import LoanAccount

    from .models import CreditorPolicy, Qualification
    tail = [
        # the debtor's related parties: role and refusal
        f"SELECT 'party', r.id, NULL, NULL, NULL, NULL, r.role, CASE WHEN r.refused_contact THEN 'y' ELSE 'n' END, "
        f"NULL, NULL, NULL FROM {RelatedParty._meta.db_table} r WHERE r.debtor_id = %s",
        # the debtor's accounts: creditor, status, case
        f"SELECT 'account', l.id, NULL, NULL, l.creditor_id, NULL, l.status, NULL, NULL, NULL, l.case_id "
        f"FROM {LoanAccount._meta.db_table} l WHERE l.debtor_id = %s",
        # the creditor's overrides
        f"SELECT 'policy', p.id, NULL, NULL, NULL, p.overrides, NULL, NULL, NULL, NULL, NULL "
        f"FROM {CreditorPolicy._meta.db_table} p WHERE p.creditor_id = %s",
        # the actor's qualifications valid on the local day
        f"SELECT 'qual', q.id, NULL, NULL, NULL, NULL, q.kind, NULL, NULL, NULL, NULL "
        f"FROM {Qualification._meta.db_table} q WHERE q.user_id = %s AND q.passed_on <= %s "
        f"AND (q.expires_on IS NULL OR q.expires_on >= %s)"]
    return contacts, " UNION ALL ".join(parts + [holds] + tail)


_SQL: dict[str, tuple[str, str]] = {}


@dataclass
class Person:
    """What one read of the database gives the live gate: the history, the debtor's accounts
    ``(id, creditor_id, status, case_id)``, the creditor's overrides and the actor's valid qualification kinds."""
    history: History
    accounts: list[tuple[int, int, str, int | None]]
    overrides: dict
    qualifications: set[str]


def person_history(debtor, at: dt.datetime, tz: ZoneInfo | None = None) -> History:
    return read_person(debtor, at, tz).history


def read_person(debtor, at: dt.datetime, tz: ZoneInfo | None = None, *, creditor_id=None, user_id=None) -> Person:
    """The history of ``debtor`` visible at ``at``: ledger rows of the last 32 days (every contact with a related
    party, for the once-per-party rule), allows still waiting for their outcome (as contacts of unknown outcome),
    and the state in force (consents, ceases, inconvenient times, attorneys, holds; 失联, death and third-party
    refusals from the borrower file)."""
    sql = _SQL.get(connection.vendor)
    if sql is None:
        sql = _SQL[connection.vendor] = _sql()
    did, p_at = debtor.pk, _param(at)
    events: list = []
    for t, channel, direction, kind, rp, att, accounts, token, outcome, purpose in _rows(
            sql[0], [did, p_at, _param(at - LOOKBACK), did, True, _param(at - PENDING), p_at]):
        t = _dt(t)
        events.append(ContactEvent(t, to_us(t), channel, direction, party_key(kind, rp, att), _debts(_json(accounts)),
                                   token or None, outcome or None, purpose or None, token or None))

    def state(t, event, **kw):
        events.append(StateEvent(t, to_us(t), event, **kw))

    def who(rp_id):
        return f"R{rp_id}" if rp_id else DEBTOR_KEY

    holds, relations, accounts_of, overrides, quals = [], {}, [], {}, set()
    tz = tz if tz is not None else zone_of(debtor)
    local_day = at.astimezone(tz).date() if tz else at.date()
    p_day = connection.ops.adapt_datefield_value(local_day)
    params = [did, p_at, p_at] * 5 + [did, did, creditor_id or 0, user_id or 0, p_day, p_day]
    for tag, pk, start, until, rp, accounts, channel, scope, lo, hi, acc in _rows(sql[1], params):
        start, until = _dt(start), _dt(until)
        until_us = to_us(until) if until else None
        if tag == "party":
            relations[f"R{pk}"] = RELATION_OF_ROLE.get(channel, "friend")
            if scope == "y":
                state(SINCE_EVER, "third_party_refused", party=f"R{pk}")
            continue
        if tag == "account":
            accounts_of.append((pk, rp, channel, acc))
            continue
        if tag == "policy":
            overrides = _json(accounts) or {}
            continue
        if tag == "qual":
            quals.add(channel)
            continue
        if tag == "hold":
            holds.append((start, channel, rp, acc, until_us))    # (placed, kind, creditor, account, until)
        elif tag == "consent":
            state(start, "consent", party=who(rp), channel=channel or None, debts=_debts(_json(accounts)),
                  scope=scope, until_us=until_us)
        elif tag == "cease":
            state(start, "cease", party=who(rp), channel=channel or None, debts=_debts(_json(accounts)))
        elif tag == "inconvenient":
            state(start, "inconvenient", party=who(rp), window=(_minutes(lo), _minutes(hi)))
        else:
            state(start, "attorney", party=who(rp), attorney=f"A{pk}", debts=_debts(_json(accounts)))
    by_creditor: dict[int, tuple[str, ...]] = {}
    for acc_id, cred_id, _status, _case in accounts_of:
        by_creditor[cred_id] = by_creditor.get(cred_id, ()) + (str(acc_id),)
    for placed, kind, cred_id, acc_id, until_us in holds:
        debts = (str(acc_id),) if acc_id else (by_creditor.get(cred_id) or (f"c{cred_id}",)) if cred_id else None
        state(placed, "hold", kind=kind, debts=debts, until_us=until_us)
    if debtor.lost_contact:
        state(SINCE_EVER, "lost_contact", party=DEBTOR_KEY)
    if debtor.deceased:
        state(SINCE_EVER, "deceased", party=DEBTOR_KEY)
    return Person(History(DEBTOR_KEY, tz, relations, events), accounts_of, overrides, quals)


# -- house rules ------------------------------------------------------------------------------------------------
QUAL_ZH = {"pre_job_exam": "岗前考试", "training": "岗前培训或年度培训"}
QUAL_EN = {"pre_job_exam": "pre-job exam", "training": "pre-job training or annual refresher"}


def missing_qualifications(user, day: dt.date, valid: set[str] | None = None) -> list[str]:
    """What ``user`` lacks on ``day`` to make collection contacts: ``pre_job_exam``, ``training``. ``valid``: the
    kinds already known to be valid that day (read with the person)."""
    if valid is None:
        valid = _valid_kinds(user, day)
    missing = []
    if "pre_job_exam" not in valid:
        missing.append("pre_job_exam")
    if not valid & {"pre_job_training", "annual_refresher"}:
        missing.append("training")
    return missing


def _valid_kinds(user, day: dt.date) -> set[str]:
    from .models import Qualification

    day_param = connection.ops.adapt_datefield_value(day)
    valid = {k for (k,) in _rows(f"SELECT DISTINCT kind FROM {Qualification._meta.db_table} WHERE user_id = %s "
                                 f"AND passed_on <= %s AND (expires_on IS NULL OR expires_on >= %s)",
                                 [user.pk, day_param, day_param])}
    return valid


def house_denials(actor, request: Request, at: dt.datetime, third_party: bool, day: dt.date,
                  qualifications: set[str] | None = None) -> list[Denial]:
    out = []
    if (actor is not None and may(actor, Capability.CONTACT_NEEDS_QUALIFICATION) and request.purpose in GATED_PURPOSES):
        missing = missing_qualifications(actor, day, qualifications)
        if missing:
            out.append(Denial("QUAL", "qualification", {"missing_zh": "、".join(QUAL_ZH[m] for m in missing),
                                                        "missing_en": ", ".join(QUAL_EN[m] for m in missing)}))
    if request.template:
        findings = content_check.check(request.template, third_party=third_party)
        if findings:
            out.append(Denial("CONTENT", "content_check", {"summary_zh": content_check.summary(findings, "zh"),
                                                           "summary_en": content_check.summary(findings, "en")}))
    return out


@dataclass
class LiveResult:
    decision: Decision
    relation: str | None
    history_size: tuple[int, int]


def evaluate_live(actor, request: Request, at: dt.datetime, history: History, pack: Pack,
                  *, masked_number: str = "", qualifications: set[str] | None = None, extra=()) -> LiveResult:
    """The pure decision plus the house rules, as one ``Decision`` (rules in order, reasons re-explained)."""
    pure = evaluate(request, at, history, pack)
    relation = history.relation(request.party, history.state(to_us(at)))
    third = relation is not None and relation not in (DEBTOR, "guarantor", "co_borrower", "attorney")
    local_day = at.astimezone(history.tz).date() if history.tz else at.date()
    extra = house_denials(actor, request, at, third, local_day, qualifications) + list(extra)
    decision = pure
    named = _name_debts(_name_attorneys(pure.denials))
    if extra or named is not pure.denials:
        denials = tuple(named) + tuple(extra)
        zh, en = explain(denials)
        decision = Decision("deny", tuple(dict.fromkeys(d.code for d in denials)), zh, en, denials)
    if request.number and masked_number and not decision.allowed:
        decision = Decision(decision.decision, decision.rules, decision.reason_zh.replace(request.number, masked_number),
                            decision.reason_en.replace(request.number, masked_number), decision.denials)
    return LiveResult(decision, relation, (len(history.c_ev), len(history.s_ev)))


def _name_attorneys(denials):
    """Reasons name the attorney, not the gate's party id ``A<pk>``."""
    ids = [d.args["attorney"][1:] for d in denials if d.key == "attorney" and str(d.args.get("attorney", "")).startswith("A")]
    if not ids:
        return denials
    from .models import AttorneyRepresentation
    names = {f"A{pk}": name for pk, name in AttorneyRepresentation.objects.filter(pk__in=ids).values_list("id", "attorney_name")}
    return tuple(Denial(d.code, d.key, {**d.args, "attorney": names.get(d.args["attorney"], d.args["attorney"])})
                 if d.key == "attorney" else d for d in denials)


def _name_debts(denials):
    """Reasons name an account by its contract number (借据号), not the gate's internal account id."""
    ids = {d.args["debt"] for d in denials if str(d.args.get("debt", "")).isdigit()}
    if not ids:
        return denials
    from concord.loans.models import LoanAccount
    refs = {str(pk): ref for pk, ref in LoanAccount.objects.filter(pk__in=sorted(int(i) for i in ids))
            .values_list("id", "reference")}
    return tuple(Denial(d.code, d.key, {**d.args, "debt": refs.get(str(d.args["debt"]), d.args["debt"])})
                 if "debt" in d.args else d for d in denials)


def masked(number: str | None) -> str:
    return mask_phone(number) if number else ""
