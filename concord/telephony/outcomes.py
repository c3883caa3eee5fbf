"""What a call came to, as the switch reports it, and what the compliance ledger records for it. Pure.

A call result is finer than the ledger's outcome: 空号 (vacant), 关机 (powered off) and 停机 (suspended) are all a
``failed`` attempt for the caps, while an *abandoned* call (the borrower answered, no collector took it) counts as a
conversation: the borrower was reached.
"""
from __future__ import annotations

RESULTS = ("answered", "no_answer", "busy", "vacant", "powered_off", "suspended", "unreachable", "abandoned",
           "failed")
LEDGER_OUTCOME = {"answered": "conversation", "abandoned": "conversation", "no_answer": "no_answer",
                  "busy": "busy", "vacant": "failed", "powered_off": "failed", "suspended": "failed",
                  "unreachable": "failed", "failed": "failed"}
HANGUP_BY = ("agent", "customer", "system")
#: SIP final responses (RFC 3261) to a result; anything else in 4xx–6xx is ``unreachable``.
SIP_RESULTS = {404: "vacant", 484: "vacant", 410: "suspended", 604: "vacant", 480: "powered_off", 408: "no_answer",
               487: "no_answer", 486: "busy", 600: "busy", 603: "busy", 403: "suspended", 503: "unreachable"}


def ledger_outcome(result: str) -> str:
    return LEDGER_OUTCOME[result]


def result_of_sip(code: int | None, *, answered: bool, bridged: bool = True) -> str:
    """The result of a call from its final SIP response ``code`` (None when the call was answered)."""
    if answered:
        return "answered" if bridged else "abandoned"
    if code is None:
        return "failed"
    return SIP_RESULTS.get(int(code), "unreachable" if int(code) >= 400 else "failed")


def needs_disposition(result: str) -> bool:
    """A call the borrower answered needs the collector's disposition (promise, dispute …) and note."""
    return result == "answered"
