"""The manual adapter: the collector dials the case page's ``tel:`` link on their own phone and logs the call.

The gate decides and the allow is the permit exactly as with a switch; the collector's log (``workbench.calls.
log_call``) consumes it. Nothing is originated, pushed or pulled.
"""
from __future__ import annotations

from .base import DialRequest, Provider


class ManualProvider(Provider):
    name = "manual"

    def originate(self, request: DialRequest) -> str:
        return ""          # dialled by hand from the tel: link

    def hang_up(self, call_id: str, agent: str) -> None:
        return None

    def set_agent_state(self, agent: str, state: str) -> None:
        return None

    def event_key(self, raw: dict) -> str:
        return str(raw.get("id", ""))
