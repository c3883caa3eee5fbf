"""Per-request context (request id, acting user) carried in context variables."""
from __future__ import annotations

import contextvars
import uuid
from contextlib import contextmanager

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("concord_request_id", default="")


def current_request_id() -> str:
    rid = request_id_var.get()
    return rid or "cli-" + uuid.uuid4().hex[:12]


@contextmanager
def request_context(request_id: str | None = None):
    token = request_id_var.set(request_id or uuid.uuid4().hex)
    try:
        yield request_id_var.get()
    finally:
        request_id_var.reset(token)
