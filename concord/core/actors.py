"""Actors that are not staff users: the borrower acting for themselves through the self-service portal.

Services take an ``actor``; the audit trail stores a staff user in ``AuditEvent.actor`` and every actor's label in
``actor_label``. A :class:`Borrower` has no user row: its label is ``borrower:<debtor id>`` (no name, no number),
its case scope is ``debtor`` (``core.access.restrict`` gives it its own cases and nothing else), and the role table
gives it no staff capability (``staff.roles.may`` is False for every capability). A service that a borrower may
call for themselves says so explicitly with :func:`is_borrower`.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Borrower:
    debtor_id: int
    channel: str = "portal"  # how this borrower came in: a link's channel (sms, email, letter) or "code"

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    is_borrower = True
    role = "borrower"
    case_scope = "debtor"
    creditor_id = None

    @property
    def username(self) -> str:
        return f"borrower:{self.debtor_id}"

    def __str__(self) -> str:
        return self.username


def is_borrower(actor) -> bool:
    return bool(getattr(actor, "is_borrower", False)) and getattr(actor, "debtor_id", None) is not None
