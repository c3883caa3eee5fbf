"""Whose contact data a case may use (pure: no Django).

An agency processes each creditor's data on that creditor's behalf. A contact point records who supplied it: the
creditors whose files held it (``suppliers``), or the debtor in a conversation about one case (``given_for_case``;
that case's creditor is then its supplier). A case may use a point when

1. the debtor gave it in a conversation about that case, or
2. the case's creditor supplied it, or
3. both the case's creditor and one of the point's suppliers allow sharing (a creditor's setting, off by default).

A point whose supplier was never recorded counts as supplied by the creditor of the person's first case (the data
migration's rule for points older than this record).
"""
from __future__ import annotations

from dataclasses import dataclass

USABLE_KINDS = ("debtor", "creditor", "shared")


@dataclass(frozen=True)
class Source:
    kind: str                   # "debtor" | "creditor" | "shared" | "other_creditor" | "unknown"
    creditor_id: int | None     # the supplier the case relies on (or, when not usable, the first supplier)
    case_id: int | None = None  # for "debtor": the case the debtor gave it about

    @property
    def usable(self) -> bool:
        return self.kind in USABLE_KINDS


def source_for(*, suppliers, given_for_case: int | None, case_id: int, case_creditor: int,
               first_creditor: int | None, sharing) -> Source:
    """How (and whether) the case ``case_id`` of creditor ``case_creditor`` may use a point."""
    owners = [int(s) for s in (suppliers or [])] or ([first_creditor] if first_creditor is not None else [])
    if given_for_case is not None and given_for_case == case_id:
        return Source("debtor", case_creditor, case_id)
    if case_creditor in owners:
        return Source("creditor", case_creditor)
    if case_creditor in sharing:
        for owner in owners:
            if owner in sharing:
                return Source("shared", owner)
    return Source("other_creditor" if owners else "unknown", owners[0] if owners else None)


def with_supplier(suppliers, creditor_id: int | None) -> list[int]:
    """``suppliers`` with ``creditor_id`` added at the end when it is not there yet."""
    out = [int(s) for s in (suppliers or [])]
    if creditor_id is not None and int(creditor_id) not in out:
        out.append(int(creditor_id))
    return out
