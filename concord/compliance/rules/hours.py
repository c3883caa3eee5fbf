"""Time-of-day rules: quiet hours (CN1, CN5, US1, UK3) and the times a person named inconvenient."""
from __future__ import annotations

from ..packs import parse_clock

US_PER_S = 1_000_000


def prepare_none(params):
    return None


def _show(text: str) -> str:
    return text[:5] if text.endswith(":00") and len(text) == 8 else text


def prepare_hours(params):
    return (parse_clock(params["start"]) * US_PER_S, parse_clock(params["end"]) * US_PER_S,
            params["end_inclusive"], params["consent_lifts"], _show(params["start"]), _show(params["end"]))


def _clock(ctx) -> str:
    t = ctx.local
    return f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}"


def hours(ctx, p):
    """Allowed from ``start`` (inclusive) to ``end`` (exclusive, or inclusive when ``end_inclusive``), in the
    debtor's local time, on every channel and for every purpose; an ``hours`` (or ``all``) consent of the party
    for the channel lifts it when the pack says so."""
    start, end, inclusive, consent_lifts, start_text, end_text = p
    clock = ctx.clock
    if start <= clock and (clock <= end if inclusive else clock < end):
        return None
    if consent_lifts and ctx.consented(("hours", "all"), ctx.req.channel):
        return None
    return "hours", {"time": _clock(ctx), "start": start_text, "end": end_text}


def inconvenient(ctx, p):
    """A time the person named inconvenient (both minutes inside, wrapping past midnight when ``from`` is later
    than ``to``) denies every request to them; no consent lifts it."""
    windows = ctx.state.inconvenient.get(ctx.req.party) if ctx.state.inconvenient else None
    if not windows:
        return None
    minute = ctx.local.hour * 60 + ctx.local.minute
    for lo, hi in windows:
        inside = lo <= minute <= hi if lo <= hi else (minute >= lo or minute <= hi)
        if inside:
            return "inconvenient", {"time": _clock(ctx), "start": f"{lo // 60:02d}:{lo % 60:02d}",
                                    "end": f"{hi // 60:02d}:{hi % 60:02d}"}
    return None
