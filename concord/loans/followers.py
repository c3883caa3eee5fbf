"""Who follows the ledger: actions that must run, in the same transaction, when an account changes — its figures
(the case's summary) or its payments (promise and arrangement tracking).

This is an explicit, synchronous list, not a signal: an app adds its function in ``AppConfig.ready()``, and
:mod:`concord.loans.services` calls every function, in registration order:

- ``register_account(fn)``: after an account's balances, DPD, bucket or status were saved, with ``(account)``;
- ``register(fn)``: after a payment is recorded or reversed, with ``(actor, account, payment, reversed)``.

The ledger sits below the apps that follow it (cases, workbench, arrangements), so it calls them through this list
instead of importing them.
"""
from __future__ import annotations

from typing import Callable

_PAYMENT_FOLLOWERS: list[Callable] = []
_ACCOUNT_FOLLOWERS: list[Callable] = []


def register(fn: Callable) -> None:
    """Follow payments recorded or reversed."""
    if fn not in _PAYMENT_FOLLOWERS:
        _PAYMENT_FOLLOWERS.append(fn)


def register_account(fn: Callable) -> None:
    """Follow every saved change of an account's figures."""
    if fn not in _ACCOUNT_FOLLOWERS:
        _ACCOUNT_FOLLOWERS.append(fn)


def account_changed(account) -> None:
    for fn in list(_ACCOUNT_FOLLOWERS):
        fn(account)


def payment_changed(actor, account, payment, *, reversed: bool) -> None:
    for fn in list(_PAYMENT_FOLLOWERS):
        fn(actor, account, payment, reversed=reversed)
