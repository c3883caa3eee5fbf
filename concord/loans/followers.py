"""Who follows the ledger: actions that must run when an account's payments change (a payment recorded or
reversed), in the same transaction — e.g. promise and arrangement tracking.

This is an explicit, synchronous list, not a signal: an app adds its function in ``AppConfig.ready()``
(``followers.register(fn)``), and :mod:`concord.loans.services` calls every function, in registration order,
after a payment is recorded or reversed, with ``(actor, account, payment, reversed)``.
"""
from __future__ import annotations

from typing import Callable

_FOLLOWERS: list[Callable] = []


def register(fn: Callable) -> None:
    if fn not in _FOLLOWERS:
        _FOLLOWERS.append(fn)


def payment_changed(actor, account, payment, *, reversed: bool) -> None:
    for fn in list(_FOLLOWERS):
        fn(actor, account, payment, reversed=reversed)
