"""Identity numbers and phone numbers: validation with a reason, normalisation, derived facts.

Pure functions (no database). A Chinese resident ID (居民身份证) is checked for format, checksum, birth date and
region; a region code that exists or once existed is accepted whatever the birth year (people keep the
number they were given even when their county was later renamed or merged). 15-digit IDs are converted to 18.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from stdnum import numdb
from stdnum.cn import ric


def _(message: str) -> str:
    """Marks a message for the translation catalogue; the Django layer translates it when it is shown
    (``concord.core.text.translated(exc.template, exc.params)``), so this module imports no Django."""
    return message


class IdentityError(ValueError):
    """A value that is not a valid identifier; ``code`` says which check failed, ``template % params`` says how
    (in Chinese; translate with ``concord.core.text.translated``)."""

    def __init__(self, code: str, template: str, params: dict | None = None):
        self.code, self.template, self.params = code, template, params or {}
        super().__init__(self.text)

    @property
    def text(self) -> str:
        return self.template % self.params if self.params else self.template


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    gender: str  # "M" or "F"
    region: str


def normalize_text(value: str) -> str:
    """Full-width to half-width, trimmed."""
    return unicodedata.normalize("NFKC", value or "").strip()


#: Direction controls (embeddings, overrides, isolates and marks): they reorder how a name is shown (a spoofing
#: tool) and no name needs them.
BIDI_CONTROLS = frozenset([*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)), "\u200e", "\u200f",
                           "\u061c"])
ZWNJ, ZWJ = "\u200c", "\u200d"
#: Scripts whose spelling needs the zero-width (non-)joiner between two of their letters (Persian ``می‌خواهم``,
#: Devanagari half forms, Sinhala conjuncts …); the first word of the Unicode character name.
JOINING_SCRIPTS = frozenset({"ARABIC", "SYRIAC", "NKO", "MONGOLIAN", "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI",
                             "ORIYA", "TAMIL", "TELUGU", "KANNADA", "MALAYALAM", "SINHALA", "KHMER", "MYANMAR"})


def _script(ch: str) -> str:
    return unicodedata.name(ch, "").split(" ", 1)[0]


def unsafe_name_character(value: str) -> tuple[int, str] | None:
    """The first character a person's name may not hold, as (position, character), or None. Refused: direction
    controls (U+202A–U+202E, U+2066–U+2069, LRM, RLM, ALM), every other control or format character (zero-width
    space, word joiner, BOM, soft hyphen …), and the zero-width joiner and non-joiner except between two letters of
    one script that needs them (:data:`JOINING_SCRIPTS`)."""
    for i, ch in enumerate(value):
        if ch in (ZWNJ, ZWJ):
            before, after = value[i - 1:i], value[i + 1:i + 2]
            if before and after and _script(before) == _script(after) and _script(before) in JOINING_SCRIPTS:
                continue
            return i, ch
        if ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs"):
            return i, ch
    return None


def check_name(value: str) -> str:
    """A person's name, normalised (:func:`normalize_text`); ``IdentityError("unsafe_character")`` when it holds a
    character :func:`unsafe_name_character` refuses."""
    text = normalize_text(value)
    found = unsafe_name_character(text)
    if found is not None:
        position, ch = found
        raise IdentityError("unsafe_character", _("姓名含有不允许的不可见字符 U+%(code)04X（第 %(pos)d 个字符）"),
                            {"code": ord(ch), "pos": position + 1})
    return text


def convert_15_to_18(number15: str) -> str:
    body = number15[:6] + "19" + number15[6:]
    return body + ric.calc_check_digit(body + "0")


@functools.lru_cache(maxsize=8192)
def _region_name(code6: str) -> str:
    results = numdb.get("cn/loc").info(code6)
    info = {k: v for _part, props in results for k, v in props.items()}
    if not info:
        return ""
    county = re.sub(r"\[[^\]]*\]", "", info.get("county", "")).split(",")[0]
    return "".join(x for x in (info.get("province", ""), info.get("prefecture", ""), county) if x)


def parse_resident_id(value: str, *, today: dt.date) -> ResidentId:
    number = normalize_text(value).replace(" ", "").replace("-", "").upper()
    if not number:
        raise IdentityError("required", _("身份证号不能为空"))
    if len(number) == 15:
        if not number.isdigit():
            raise IdentityError("format", _("15 位身份证号只能包含数字"))
        number = convert_15_to_18(number)
    if len(number) != 18:
        raise IdentityError("length", _("身份证号应为 18 位（或旧版 15 位），实际 %(n)d 位"), {"n": len(number)})
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdentityError("format", _("身份证号格式错误：前 17 位须为数字，末位为数字或 X"))
    if number[-1] != ric.calc_check_digit(number):
        raise IdentityError("checksum", _("身份证号校验位错误"))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentityError("birth_date", _("身份证号中的出生日期不存在"))
    if birth.year < 1900 or birth > today:
        raise IdentityError("birth_date", _("身份证号中的出生日期不合理"))
    region = _region_name(number[:6])
    if not region:
        raise IdentityError("region", _("身份证号中的地区代码 %(code)s 不存在"), {"code": number[:6]})
    return ResidentId(number, birth, "M" if int(number[16]) % 2 else "F", region)


def normalize_mobile(value: str, region: str = "CN") -> str:
    """Return E.164 (+8613812348000) or raise IdentityError with the reason."""
    text = normalize_text(value)
    if not text:
        raise IdentityError("required", _("电话号码不能为空"))
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise IdentityError("format", _("电话号码无法识别：%(v)s"), {"v": text})
    if not phonenumbers.is_valid_number(parsed):
        raise IdentityError("invalid", _("电话号码无效：%(v)s"), {"v": text})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """+8613812348000 → 13812348000 for CN numbers; other countries keep the international form."""
    if e164.startswith("+86"):
        return e164[3:]
    return e164


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(value: str) -> str:
    text = normalize_text(value).lower()
    if not EMAIL_RE.match(text):
        raise IdentityError("invalid", _("电子邮箱格式错误：%(v)s"), {"v": text})
    return text


def normalize_contact(kind: str, value: str) -> str:
    if kind in ("mobile", "landline"):
        return normalize_mobile(value)
    if kind == "email":
        return normalize_email(value)
    text = normalize_text(value)
    if not text:
        raise IdentityError("required", _("联系方式不能为空"))
    return text
