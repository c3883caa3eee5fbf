"""One function per rule kind. Each kind has ``prepare(params) -> prepared`` (once per pack) and
``check(ctx, prepared) -> (reason_key, args) | None`` (once per evaluation): a denial or None. Pure: no Django.

The registry ``KINDS`` maps a pack rule's ``kind`` to ``(prepare, check, needs_local_time)``.
"""
from __future__ import annotations

from . import caps, content, holds, hours, parties

KINDS = {
    "hours": (hours.prepare_hours, hours.hours, True),
    "inconvenient": (hours.prepare_none, hours.inconvenient, True),
    "connected_cap": (caps.prepare_cap, caps.connected_cap, True),
    "unanswered_cap": (caps.prepare_cap, caps.unanswered_cap, True),
    "call_frequency": (caps.prepare_frequency, caps.call_frequency, True),
    "third_party": (parties.prepare_third_party, parties.third_party, False),
    "disclosure": (parties.prepare_disclosure, parties.disclosure, False),
    "attorney": (hours.prepare_none, parties.attorney, False),
    "deceased": (hours.prepare_none, parties.deceased, False),
    "cease": (holds.prepare_cease, holds.cease, False),
    "hold": (holds.prepare_hold, holds.hold, False),
    "content": (content.prepare_content, content.content, False),
    "visit_agents": (content.prepare_visit, content.visit_agents, False),
}
