"""Read queries over the borrower file."""
from __future__ import annotations

import re

from django.db.models import Q

from concord.core import pii

from .models import ContactPoint, Debtor, _contact_normal, _id_normal


def find_debtor(id_type: str, id_number: str) -> Debtor | None:
    index = pii.blind_index("id_number", _id_normal(id_number))
    return Debtor.objects.filter(id_type=id_type, id_number_index=index).first()


def contact_index(value: str) -> str:
    return pii.blind_index("contact", _contact_normal(value))


def debtor_ids_with_contact(value: str) -> list[int]:
    """Debtors who have this exact phone / e-mail (via the blind index; plaintext is never queried)."""
    from . import identity

    candidates = {value.strip()}
    try:
        candidates.add(identity.normalize_mobile(value))
    except identity.IdentityError:
        pass
    indexes = [contact_index(v) for v in candidates if v]
    return list(ContactPoint.objects.filter(value_index__in=indexes).values_list("debtor_id", flat=True).distinct())


_PHONE = re.compile(r"\+?\d{7,15}")
_ID_NUMBER = re.compile(r"\d{15}|\d{17}[\dXx]")


def _compact(text: str) -> str:
    return re.sub(r"[\s\-()]", "", text or "")


def is_personal_search(text: str) -> bool:
    """Whether a search term is personal data that must not travel in a URL (access logs, browser history,
    referrers): a phone number, a full ID number or an e-mail address. Such searches go by POST."""
    compact = _compact(text)
    return bool(_PHONE.fullmatch(compact) or _ID_NUMBER.fullmatch(compact) or "@" in (text or ""))


def debtor_match(text: str, prefix: str = "") -> Q:
    """Debtors matching ``text``: part of the name, the last four of the ID, a whole ID number, or an exact phone /
    e-mail (through the blind index — plaintext is never queried). ``prefix`` is the lookup path to the debtor ("debtor__")."""
    p = prefix
    text = text.strip()
    compact = _compact(text)
    q = Q(**{f"{p}full_name__icontains": text})
    if _ID_NUMBER.fullmatch(compact):  # a whole ID number, through its blind index
        q |= Q(**{f"{p}id_number_index": pii.blind_index("id_number", _id_normal(compact))})
    if re.fullmatch(r"\d{3}[\dXx]", compact):
        q |= Q(**{f"{p}id_last4": compact.upper()})
    if re.fullmatch(r"\+?\d{7,15}", compact):
        q |= Q(**{f"{p}pk__in": debtor_ids_with_contact(compact)})
    elif "@" in text:
        q |= Q(**{f"{p}pk__in": debtor_ids_with_contact(text)})
    return q
