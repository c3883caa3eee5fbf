"""Promises to pay (承诺还款): promise rate per conversation, kept / partially kept / broken rates, amount promised
against paid — by collector (who took the promise) or by segment (the case's segment on the day it was made).

A promise counts as *made* on the day it was made and as *kept*, *partial* or *broken* on the day it was resolved;
``kept_rate`` = kept ÷ resolved (kept + partial + broken) in the period. Conversations: contacts with the debtor
(party ``debtor``) whose outcome was a conversation, by the collector who made them.
"""
from __future__ import annotations

import datetime as dt

from . import Filters, on_cases, rate, rows


def by_collector(con, start: dt.date, end: dt.date, filters: Filters = Filters()) -> list[dict]:
    return _grouped(con, start, end, filters, "f.collector_id", "c.collector_id")


def by_segment(con, start: dt.date, end: dt.date, filters: Filters = Filters()) -> list[dict]:
    seg = "(SELECT any_value(a2.segment) FROM accounts a2 WHERE a2.case_id = {x}.case_id AND a2.day = {x}.day)"
    return _grouped(con, start, end, filters, seg.format(x="f"), seg.format(x="c"), key="segment")


def _grouped(con, start, end, filters, key_f, key_c, key="collector_id") -> list[dict]:
    cond_f, params_f = on_cases(filters, "f", start, end)
    cond_c, params_c = on_cases(filters, "c", start, end)
    sql = f"""WITH p AS (
            SELECT {key_f} AS k,
                   count(*) FILTER (WHERE event = 'made') AS made,
                   count(*) FILTER (WHERE event = 'kept') AS kept,
                   count(*) FILTER (WHERE event = 'partial') AS partial,
                   count(*) FILTER (WHERE event = 'broken') AS broken,
                   coalesce(sum(amount_fen) FILTER (WHERE event = 'made'), 0)::BIGINT AS promised_fen,
                   coalesce(sum(paid_fen) FILTER (WHERE event <> 'made'), 0)::BIGINT AS paid_fen,
                   coalesce(sum(amount_fen) FILTER (WHERE event <> 'made'), 0)::BIGINT AS due_fen
            FROM promises f WHERE f.day BETWEEN ? AND ? AND {cond_f} GROUP BY 1),
        c AS (SELECT {key_c} AS k, count(*) AS conversations FROM contacts c
              WHERE c.day BETWEEN ? AND ? AND c.party = 'debtor' AND c.outcome = 'conversation' AND {cond_c} GROUP BY 1)
        SELECT coalesce(p.k, c.k) AS {key}, coalesce(made, 0) AS made, coalesce(kept, 0) AS kept,
               coalesce(partial, 0) AS partial, coalesce(broken, 0) AS broken, coalesce(promised_fen, 0) AS promised_fen,
               coalesce(paid_fen, 0) AS paid_fen, coalesce(due_fen, 0) AS due_fen,
               coalesce(conversations, 0) AS conversations
        FROM p FULL JOIN c ON p.k IS NOT DISTINCT FROM c.k ORDER BY 1 NULLS LAST"""
    out = rows(con, sql, [start, end, *params_f, start, end, *params_c])
    for r in out:
        resolved = r["kept"] + r["partial"] + r["broken"]
        r["resolved"] = resolved
        r["kept_rate"] = rate(r["kept"], resolved)
        r["partial_rate"] = rate(r["partial"], resolved)
        r["broken_rate"] = rate(r["broken"], resolved)
        r["promise_rate"] = rate(r["made"], r["conversations"])
    return [r for r in out if r["made"] or r["resolved"] or r["conversations"]]


def promises_behind(con, start: dt.date, end: dt.date, event: str | None = None, collector_id: int | None = None,
                    filters: Filters = Filters()) -> list[dict]:
    cond, params = on_cases(filters, "f", start, end)
    extra, more = [], []
    if event:
        extra.append("f.event = ?")
        more.append(event)
    if collector_id:
        extra.append("f.collector_id = ?")
        more.append(collector_id)
    return rows(con, f"""SELECT f.day, f.promise_id, f.case_id, f.collector_id, f.event, f.amount_fen, f.paid_fen,
                                f.due_date
                         FROM promises f WHERE f.day BETWEEN ? AND ? AND {cond} {''.join(' AND ' + e for e in extra)}
                         ORDER BY f.day, f.promise_id""", [start, end, *params, *more])
