"""How a placement joins a person's case with a creditor: the rules ``cases.services.open_case`` applies to one
placement and ``imports.placing`` to a chunk of a file. Pure: no Django (the statuses are those of
``cases.models.CaseStatus``; a test keeps them equal).

- A person has one case per creditor, named ``<CREDITOR CODE>-<debtor id, 8 digits>`` (:func:`case_reference`).
- Placed again after the case was recalled or closed, the case works again (:func:`reopens`): status *new*, in the
  new placement, its assignment ended (the history stays) so that allocation gives it out afresh. A settled case
  is not reopened by a placement: it reopens when it has an open account again (the case summary's rule).
"""
from __future__ import annotations

NEW = "new"
#: Statuses a placement of the person again takes the case out of.
REOPENED_BY_PLACEMENT = ("recalled", "closed")


def case_reference(creditor_code: str, debtor_id: int) -> str:
    return f"{creditor_code.upper()}-{debtor_id:08d}"


def reopens(status: str) -> bool:
    """Whether a new placement of the person reopens their case in this status."""
    return status in REOPENED_BY_PLACEMENT
