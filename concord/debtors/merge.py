"""How new facts about a person join the borrower file: the rules the debtor services apply one value at a time
(:func:`concord.debtors.services.merge_contact_point`, ``merge_employer``, ``merge_related_party``, used by
``cases.services.place_single_account``) and the import writers apply a chunk at a time
(:mod:`concord.imports.placing`, :mod:`concord.imports.contacts`). One set of rules, so a placement entered by
hand and the same placement in a file leave the same borrower file.

- **Name.** A person already on file keeps the registered name; a different name in new data is only reported
  (:func:`name_differs`).
- **Contact points** (:class:`ContactBook`). A value is added only when the person does not have that value of that
  kind yet (values compare by their blind index, so ``+86 138 1234 8000`` and ``13812348000`` are one number). A new
  mobile becomes the primary one when its number is valid and the person has no primary mobile yet.
- **Employers** (:class:`EmployerBook`). An employer is added when the person does not have it yet; it becomes the
  current one only when the person has no current employer (data from a creditor does not overrule what is known
  of the person's present job; ``services.set_employment`` is the deliberate "this is the job now").
- **Related parties.** The same person twice is the same phone number (by its blind index), else — without a
  phone — the same name (:func:`party_key`); the role follows from the relation words (:func:`party_role`): a spouse
  by the spouse words, else what the source says (an emergency contact in a placement; in a contact-repair file an
  emergency contact only when the relation says so, else *other*).

Pure: plain strings and sets, no Django (the values are those of ``debtors.models``; a test keeps them equal).
"""
from __future__ import annotations

from typing import Iterable

MOBILE = "mobile"
VALID = "valid"
SPOUSE, EMERGENCY_CONTACT, OTHER = "spouse", "emergency_contact", "other"

SPOUSE_WORDS = ("配偶", "夫妻", "丈夫", "妻子", "老公", "老婆", "爱人", "spouse", "wife", "husband")
EMERGENCY_WORDS = ("紧急联系人", "emergency")


def name_differs(known: str, given: str) -> bool:
    """A name given for a person already on file differs from the registered one (then it is reported, not
    written)."""
    return bool(given) and given != known


class ContactBook:
    """The contact points one person has, as far as merging needs them: (kind, blind index) of each value and
    whether a primary mobile exists. :meth:`merge` decides for one new value and remembers it."""

    def __init__(self, points: Iterable[tuple[str, str, bool]] = ()):
        self.known: set[tuple[str, str]] = set()
        self.has_primary_mobile = False
        for kind, index, is_primary in points:
            self.known.add((kind, index))
            self.has_primary_mobile |= bool(is_primary) and kind == MOBILE

    def has(self, kind: str, index: str) -> bool:
        return (kind, index) in self.known

    def merge(self, kind: str, index: str, status: str) -> bool | None:
        """``None`` when the person has this value already (it is kept as it is); otherwise the value is to be
        added, and the result says whether it becomes the primary mobile."""
        if self.has(kind, index):
            return None
        self.known.add((kind, index))
        primary = kind == MOBILE and status == VALID and not self.has_primary_mobile
        self.has_primary_mobile |= primary
        return primary


class EmployerBook:
    """The employers one person has (by name) and whether one is current."""

    def __init__(self, employers: Iterable[tuple[str, bool]] = ()):
        self.known: set[str] = set()
        self.has_current = False
        for name, is_current in employers:
            self.known.add(name)
            self.has_current |= bool(is_current)

    def merge(self, name: str) -> bool | None:
        """``None`` when the person has this employer already (or no name is given); otherwise it is to be added,
        and the result says whether it becomes the current one."""
        if not name or name in self.known:
            return None
        self.known.add(name)
        current = not self.has_current
        self.has_current = True
        return current


def party_key(phone_index: str, full_name: str) -> str:
    """What makes two related parties of one person the same: the phone number's blind index, else the name."""
    return phone_index or full_name


def party_role(relation: str, *, otherwise: str) -> str:
    """The legal role a relation implies: a spouse by the spouse words; an emergency contact when the relation
    says so; else ``otherwise`` (what the source makes of an unnamed relation). Never a liable role: only the
    contract makes a guarantor or co-borrower."""
    words = relation.casefold()
    if any(word in words for word in SPOUSE_WORDS):
        return SPOUSE
    if any(word in words for word in EMERGENCY_WORDS):
        return EMERGENCY_CONTACT
    return otherwise
