"""How PII is shown to people who do not need to see it in full."""
from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """110105199001011234 → 110105********1234 (passports and short IDs keep the last 3)."""
    if not value:
        return ""
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return "*" * max(len(value) - 3, 1) + value[-3:]


def mask_phone(value: str | None) -> str:
    """13812348000 → 138****8000; +86 and separators are dropped first."""
    if not value:
        return ""
    digits = "".join(ch for ch in value if ch.isdigit())
    if value.strip().startswith("+86") or (digits.startswith("86") and len(digits) == 13):
        digits = digits[2:]  # +86 mobiles (13 digits) and +86 landlines (area code + number)
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) >= 7:
        return digits[:2] + "*" * (len(digits) - 6) + digits[-4:]
    return "*" * len(digits)


def mask_email(value: str | None) -> str:
    if not value or "@" not in value:
        return "***" if value else ""
    local, domain = value.split("@", 1)
    return (local[:1] or "*") + "***@" + domain


def mask_address(value: str | None) -> str:
    """Keep the province/city part (first 6 characters), hide street and house number."""
    if not value:
        return ""
    return value[:6] + "****"


def mask_name(value: str | None) -> str:
    """张三丰 → 张** ; John Smith → J*** S****."""
    if not value:
        return ""
    if value.isascii():
        return " ".join(w[:1] + "*" * (len(w) - 1) for w in value.split())
    return value[:1] + "*" * (len(value) - 1)


MASKERS = {
    "id_number": mask_id_number,
    "mobile": mask_phone,
    "landline": mask_phone,
    "phone": mask_phone,
    "email": mask_email,
    "wechat": lambda v: (v[:2] + "****") if v else "",
    "address": mask_address,
    "name": mask_name,
}


def mask(kind: str, value: str | None) -> str:
    return MASKERS.get(kind, mask_address)(value)
