"""Contact: attempts, connects, right-party contacts (RPC) and conversations per attempt, by channel, hour or
weekday; the compliance gate's denials by rule; complaints per 10,000 contacts.

* connect — an attempt that reached someone: outcome conversation, third_party or wrong_number (calls), delivered
  (messages);
* right-party contact — a conversation with the debtor (party ``debtor``, outcome conversation);
* complaints per 10,000 contacts — complaints received in the period ÷ attempts in the period × 10,000.
"""
from __future__ import annotations

import datetime as dt

from . import Filters, on_cases, rate, rows

CONNECT = ("conversation", "third_party", "wrong_number", "delivered")
DIMENSIONS = ("channel", "hour", "weekday")


def attempts(con, start: dt.date, end: dt.date, by: str = "channel", filters: Filters = Filters()) -> list[dict]:
    if by not in DIMENSIONS:
        raise ValueError(f"by: one of {', '.join(DIMENSIONS)}, not {by!r}")
    cond, params = on_cases(filters, "f", start, end)
    connect = ", ".join(f"'{o}'" for o in CONNECT)
    out = rows(con, f"""SELECT f.{by} AS {by}, count(*) AS attempts,
                               count(*) FILTER (WHERE f.outcome IN ({connect})) AS connects,
                               count(*) FILTER (WHERE f.party = 'debtor' AND f.outcome = 'conversation') AS rpc,
                               count(*) FILTER (WHERE f.outcome = 'conversation') AS conversations
                        FROM contacts f WHERE f.day BETWEEN ? AND ? AND f.direction = 'outbound' AND {cond}
                        GROUP BY 1 ORDER BY 1""", [start, end, *params])
    for r in out:
        r["connect_rate"] = rate(r["connects"], r["attempts"])
        r["rpc_rate"] = rate(r["rpc"], r["attempts"])
        r["conversation_rate"] = rate(r["conversations"], r["attempts"])
    return out


def denials(con, start: dt.date, end: dt.date, filters: Filters = Filters()) -> list[dict]:
    """Denied requests of the gate by rule (a denial with several rules counts under each), most frequent first."""
    cond, params = on_cases(filters, "f", start, end)
    return rows(con, f"""SELECT rule, count(*) AS denials FROM (
                            SELECT unnest(string_split(trim(f.rules), ' ')) AS rule FROM decisions f
                            WHERE f.day BETWEEN ? AND ? AND NOT f.allowed AND {cond})
                         WHERE rule <> '' GROUP BY rule ORDER BY denials DESC, rule""", [start, end, *params])


def complaints(con, start: dt.date, end: dt.date, filters: Filters = Filters()) -> dict:
    cond_f, params = on_cases(filters, "f", start, end)
    n_complaints = con.execute(f"SELECT count(*) FROM complaints f WHERE f.day BETWEEN ? AND ? AND {cond_f}",
                               [start, end, *params]).fetchone()[0]
    n_contacts = con.execute(f"SELECT count(*) FROM contacts f WHERE f.day BETWEEN ? AND ? "
                             f"AND f.direction = 'outbound' AND {cond_f}", [start, end, *params]).fetchone()[0]
    per = round(n_complaints * 10000 / n_contacts, 2) if n_contacts else None
    return {"complaints": n_complaints, "contacts": n_contacts, "per_10000": per}
