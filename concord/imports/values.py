"""Parsers for single cell values in creditor files.

Each parser takes what a reader yields for one cell (``str`` from CSV; ``str``, ``int``, ``float``,
``datetime``/``date`` or ``None`` from XLSX) and returns a typed value, or raises :class:`ValueProblem`
with a stable ``code`` and a translatable ``message`` (Chinese msgid; rendered in the active language
when ``str()`` is taken, so one problem can be shown in Chinese and in English).

Blank cells are the caller's business: :func:`is_blank` says whether a cell is empty (``None``, whitespace,
or a placeholder such as ``-`` or ``N/A``). Parsers raise ``code="required"`` when handed a blank value.

Pure: no database. ID numbers, phones and amounts reuse :mod:`concord.debtors.identity` and
:mod:`concord.core.money`.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from concord.core.money import parse_amount, to_money
from concord.core.masking import mask_phone
from concord.core.text import translated
from concord.debtors.identity import (
    IdentityError,
    ResidentId,
    normalize_mobile,
    parse_resident_id,
)

EARLIEST_DATE = dt.date(1990, 1, 1)
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's 1900 date system (serial 1 = 1900-01-01, with the 1900 leap bug)
MAX_AMOUNT = Decimal("100000000")  # 1 亿元: above this a consumer loan or card amount is absurd
MAX_EXACT_DIGITS = 15  # a spreadsheet keeps 15 significant digits of a number; longer ones lose digits

_NEUTRALISED = ("=", "+", "-", "@")
NULL_MARKERS = frozenset({"", "-", "--", "—", "——", "/", "null", "none", "n/a", "na", "#n/a"})

PRODUCTS = {
    "信用卡": "credit_card", "贷记卡": "credit_card", "creditcard": "credit_card", "card": "credit_card",
    "网贷": "online_loan", "网络贷款": "online_loan", "互联网贷款": "online_loan", "onlineloan": "online_loan",
}
REPAYMENT_METHODS = {
    "等额本息": "equal_installment", "equalinstallment": "equal_installment",
    "equalinstalment": "equal_installment", "equalinstallments": "equal_installment",
    "等额本金": "equal_principal", "equalprincipal": "equal_principal",
    "先息后本": "interest_only", "按月付息到期还本": "interest_only", "interestonly": "interest_only",
    "一次性还本付息": "bullet", "到期一次还本付息": "bullet", "利随本清": "bullet", "bullet": "bullet",
    "lumpsum": "bullet",
    "循环": "revolving", "信用卡循环": "revolving", "最低还款": "revolving", "revolving": "revolving",
}

_DATE_TEXT = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER_TEXT = re.compile(r"\d+(?:\.\d+)?")
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+")
_INT_SUFFIXES = ("个月", "期", "月", "天", "日", "days", "day", "months", "month")
_KEY_STRIP = re.compile(r"[\s_\-()（）]+")
_PLAIN_DECIMAL = re.compile(r"\d{1,15}(?:\.\d{1,6})?")
_INTEGER_TEXT = re.compile(r"[+-]?\d+(?:\.0*)?")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]+")
_CN_MOBILE = re.compile(r"(?:\+86)?(1\d{10})")
# The mobile pattern phonenumbers validates CN numbers with: a plain CN mobile that matches it is valid, and
# its E.164 form is +86 and the 11 digits; anything else goes through phonenumbers itself.
_CN_MOBILE_PATTERN = re.compile(phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern)

LABEL_TEXT, LABEL_REFERENCE, LABEL_AMOUNT, LABEL_RATE, LABEL_NUMBER, LABEL_DATE = (
    _("内容"), _("借据号"), _("金额"), _("利率"), _("数值"), _("日期"))
LABEL_PRODUCT, LABEL_METHOD, LABEL_PHONE, LABEL_ID = _("产品"), _("还款方式"), _("电话号码"), _("身份证号")


class ValueProblem(ValueError):
    """A cell value that cannot be used. ``code`` is stable (for reports and tests); ``message`` is lazy text."""

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


# --- text -------------------------------------------------------------------------------------------------

def clean_text(value: Any) -> str:
    """The cell as trimmed text: full-width to half-width (NFKC); integral numbers without ``.0``.

    Formula-like text (``=1+1``, ``@SUM(A1)``) is returned as it is: it is data, never evaluated.
    """
    if type(value) is str:  # nearly every cell of a CSV file: straight to the text rules below
        text = value
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    elif isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    elif isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        return value.isoformat()
    else:
        text = value if isinstance(value, str) else str(value)
    if text[:1] == "'" and text[1:2] in _NEUTRALISED:  # a cell an export neutralised ('=…): the value itself
        text = text[1:]
    if text.isascii():  # ASCII is already NFKC-normal: skip the (slower) normalisation
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip()


def is_blank(value: Any) -> bool:
    """True for an empty cell: ``None``, whitespace, or a placeholder such as ``-``, ``/``, ``N/A``."""
    if isinstance(value, str):
        text = value.strip()
        return len(text) <= 4 and clean_text(text).lower() in NULL_MARKERS  # markers are short: fast path
    return value is None


def _require(value: Any, what) -> None:
    if value is None or (isinstance(value, str) and is_blank(value)):
        raise ValueProblem("required", format_lazy(_("{what}不能为空"), what=what))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _enum_key(text: str) -> str:
    return _KEY_STRIP.sub("", clean_text(text).casefold())


def parse_text(value: Any) -> str:
    """Required text (a name, an address): trimmed, half-width; raises ``required`` when blank."""
    _require(value, LABEL_TEXT)
    return clean_text(value)


def parse_reference(value: Any) -> str:
    """An account reference (借据号/合同号/卡号) as text.

    A long number (16+ digits, e.g. a card number) that reached the file as a numeric cell or in scientific
    notation has lost its last digits in the spreadsheet; it is refused (``reference_lost_digits``).
    """
    _require(value, LABEL_REFERENCE)
    if _is_number(value):
        if isinstance(value, float) and not value.is_integer():
            raise ValueProblem("reference_format", format_lazy(_("借据号不应是小数：{v}"), v=clean_text(value)))
        if len(str(int(value))) > MAX_EXACT_DIGITS:
            raise ValueProblem("reference_lost_digits", format_lazy(
                _("借据号 {v} 以数字格式保存，超过 15 位的部分已丢失；请将该列设为文本格式后重新导出"),
                v=clean_text(value)))
    text = clean_text(value)
    if _SCIENTIFIC.fullmatch(text):
        raise ValueProblem("reference_lost_digits", format_lazy(
            _("借据号 {v} 为科学计数法，数字已丢失；请将该列设为文本格式后重新导出"), v=text))
    return text


# --- numbers ----------------------------------------------------------------------------------------------

def _number_to_decimal(value: int | float | Decimal) -> Decimal:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueProblem("number_format", format_lazy(_("不是有效的数字：{v}"), v=repr(value)))
        return Decimal(repr(value))  # shortest repr: 1234.5 stays 1234.5, no binary noise
    return Decimal(value)


def parse_money(value: Any, *, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """A non-negative yuan amount, half-up to the fen: ``¥1,234.50``, ``1234.5元``, ``1.2万``, numbers.

    Codes: ``required``, ``amount_format``, ``amount_negative``, ``amount_range`` (above ``maximum``).
    """
    _require(value, LABEL_AMOUNT)
    if _is_number(value):
        amount = _number_to_decimal(value)
        if amount < 0:
            raise ValueProblem("amount_negative", format_lazy(_("金额不能为负数：{v}"), v=clean_text(value)))
        amount = to_money(amount)
    else:
        text = clean_text(value)
        if _PLAIN_DECIMAL.fullmatch(text):  # fast path for the common plain "1234.50"
            amount = to_money(Decimal(text))
        elif text.startswith(("-", "−")):
            raise ValueProblem("amount_negative", format_lazy(_("金额不能为负数：{v}"), v=text))
        else:
            try:
                amount = parse_amount(text)
            except ValueError:
                raise ValueProblem("amount_format", format_lazy(
                    _("金额格式无法识别：{v}（应如 1,234.50、¥1234.5 或 1.2万）"), v=text)) from None
    if amount > maximum:
        raise ValueProblem("amount_range", format_lazy(_("金额 {v} 大得不合理（上限 {max} 元）"),
                                                        v=clean_text(value), max=maximum))
    return amount


def parse_rate(value: Any) -> Decimal:
    """An annual rate as a fraction: ``16.5%`` → 0.165, ``0.165`` → 0.165 (also an Excel percent cell).

    A value above 1 after conversion is refused (``rate_range``): ``16.5`` without ``%`` is ambiguous.
    Codes: ``required``, ``rate_format``, ``rate_range``.
    """
    _require(value, LABEL_RATE)
    try:
        if _is_number(value):
            rate = _number_to_decimal(value)
        else:
            text = clean_text(value).replace(" ", "")
            if text.endswith("%"):
                rate = Decimal(text[:-1]) / 100
            else:
                rate = Decimal(text)
            if not rate.is_finite():
                raise InvalidOperation
    except (InvalidOperation, ValueProblem):
        raise ValueProblem("rate_format", format_lazy(_("利率格式无法识别：{v}（应如 16.5% 或 0.165）"),
                                                      v=clean_text(value))) from None
    if rate < 0 or rate > 1:
        raise ValueProblem("rate_range", format_lazy(
            _("利率 {v} 超出范围：应在 0 到 100% 之间（如 16.5% 或 0.165）"), v=clean_text(value)))
    return rate.normalize() if rate else Decimal(0)


def parse_int(value: Any, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number (term in months, days past due): ``12``, ``12.0``, ``12期``, ``30天``.

    Codes: ``required``, ``integer_format``, ``integer_range``.
    """
    _require(value, LABEL_NUMBER)
    if _is_number(value):
        number = _number_to_decimal(value)
    else:
        text = clean_text(value).replace(" ", "").lower()
        for suffix in _INT_SUFFIXES:
            if text.endswith(suffix):
                text = text[: -len(suffix)]
                break
        if text.isascii() and text.isdigit():
            text = text.lstrip("0") or "0"
        elif not _INTEGER_TEXT.fullmatch(text):
            raise ValueProblem("integer_format", format_lazy(_("应为整数：{v}"), v=clean_text(value)))
        number = Decimal(text)
    if number != number.to_integral_value():
        raise ValueProblem("integer_format", format_lazy(_("应为整数：{v}"), v=clean_text(value)))
    result = int(number)
    if result < minimum or (maximum is not None and result > maximum):
        bound = f"{minimum}–{maximum}" if maximum is not None else f"≥ {minimum}"
        raise ValueProblem("integer_range", format_lazy(_("数值 {v} 超出范围（{bound}）"),
                                                        v=clean_text(value), bound=bound))
    return result


# --- dates ------------------------------------------------------------------------------------------------

def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _make_date(y: int, m: int, d: int, shown: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise ValueProblem("date_nonexistent", format_lazy(_("日期不存在：{v}"), v=shown)) from None


def _date_from_number(number: Decimal, shown: str) -> dt.date:
    whole = int(number)  # a fraction is the time of day
    if 10_000_000 <= whole <= 99_999_999 and number == whole:  # YYYYMMDD
        return _make_date(whole // 10_000, whole // 100 % 100, whole % 100, shown)
    if 0 < whole < 10_000_000:  # Excel serial
        try:
            return EXCEL_EPOCH + dt.timedelta(days=whole)
        except OverflowError:
            pass
    raise ValueProblem("date_format", format_lazy(_("日期格式无法识别：{v}"), v=shown))


def parse_date(value: Any, *, today: dt.date) -> dt.date:
    """A calendar date between 1990-01-01 and one year after ``today``.

    Accepts ``2026/1/5``, ``2026-01-05``, ``2026.1.5``, ``2026年1月5日`` (a time after it is ignored),
    ``20260105``, Excel serial numbers (``46027``) and date/datetime cells. In a date column an 8-digit number
    is YYYYMMDD and a smaller one an Excel serial. Codes: ``required``, ``date_format``, ``date_nonexistent``,
    ``date_range``.
    """
    if type(value) is str:  # the same few dates fill a file's date columns: each text is read once
        return _parse_date_text(value, today)
    return _parse_date(value, today)


@lru_cache(maxsize=4096)
def _parse_date_text(text: str, today: dt.date) -> dt.date:
    return _parse_date(text, today)  # a refused text raises again each time (exceptions are not cached)


def _parse_date(value: Any, today: dt.date) -> dt.date:
    _require(value, LABEL_DATE)
    shown = clean_text(value)
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif _is_number(value):
        day = _date_from_number(_number_to_decimal(value), shown)
    elif _NUMBER_TEXT.fullmatch(shown):
        day = _date_from_number(Decimal(shown), shown)
    elif len(shown) == 10 and shown[4] == "-" and shown[7] == "-" and _ISO_DATE.fullmatch(shown):
        day = _make_date(int(shown[:4]), int(shown[5:7]), int(shown[8:]), shown)
    else:
        match = _DATE_TEXT.fullmatch(shown)
        if not match:
            raise ValueProblem("date_format", format_lazy(
                _("日期格式无法识别：{v}（应如 2026-01-05、2026/1/5、2026年1月5日 或 20260105）"), v=shown))
        day = _make_date(int(match["y"]), int(match["m"]), int(match["d"]), shown)
    latest = _one_year_after(today)
    if not EARLIEST_DATE <= day <= latest:
        raise ValueProblem("date_range", format_lazy(_("日期 {v} 超出合理范围（{lo} 至 {hi}）"),
                                                     v=day.isoformat(), lo=EARLIEST_DATE.isoformat(),
                                                     hi=latest.isoformat()))
    return day


# --- enumerations -----------------------------------------------------------------------------------------

def parse_product(value: Any) -> str:
    """Product kind: 信用卡 / 网贷 / Credit Card / Online Loan / credit_card / online_loan.

    Returns ``credit_card`` or ``online_loan``; code ``unknown_product`` otherwise.
    """
    _require(value, LABEL_PRODUCT)
    code = PRODUCTS.get(_enum_key(value))
    if code is None:
        raise ValueProblem("unknown_product", format_lazy(
            _("未知的产品：{v}（应为 信用卡 或 网贷）"), v=clean_text(value)))
    return code


def parse_repayment_method(value: Any) -> str:
    """Repayment method in Chinese or English → equal_installment, equal_principal, interest_only, bullet,
    revolving. Code ``unknown_repayment_method`` otherwise."""
    _require(value, LABEL_METHOD)
    code = REPAYMENT_METHODS.get(_enum_key(value))
    if code is None:
        raise ValueProblem("unknown_repayment_method", format_lazy(
            _("未知的还款方式：{v}（应为 等额本息、等额本金、先息后本、一次性还本付息 或 信用卡循环）"),
            v=clean_text(value)))
    return code


# --- identity ---------------------------------------------------------------------------------------------

def parse_phone(value: Any) -> str:
    """A phone number in E.164 (``+8613812348000``); ``+86``, spaces and dashes accepted.

    Raises ``phone_<reason>`` (e.g. ``phone_invalid``); callers keep an invalid phone as a warning.
    """
    _require(value, LABEL_PHONE)
    text = clean_text(value)
    fast = _CN_MOBILE.fullmatch(_PHONE_SEPARATORS.sub("", text))
    if fast and _CN_MOBILE_PATTERN.fullmatch(fast[1]):
        return "+86" + fast[1]
    try:
        return normalize_mobile(text)
    except IdentityError as exc:  # the issue list names the number masked: it is kept and shown to every importer
        params = {**exc.params, "v": mask_phone(exc.params["v"])} if "v" in exc.params else exc.params
        raise ValueProblem(f"phone_{exc.code}", translated(exc.template, params)) from None


def parse_national_id(value: Any, *, today: dt.date) -> ResidentId:
    """A resident ID (居民身份证): checksum, birth date and region checked; 15 digits converted to 18.

    An 18-digit number that arrived as a numeric cell (or as text in scientific notation, ``1.10105E+17``)
    has lost digits in the spreadsheet and is refused with ``id_lost_digits``. Other codes: ``id_<reason>``
    from :func:`concord.debtors.identity.parse_resident_id` (``id_checksum``, ``id_region``, ``id_length`` …).
    """
    _require(value, LABEL_ID)
    if _is_number(value):
        if isinstance(value, float) and not value.is_integer():
            raise ValueProblem("id_format", format_lazy(_("身份证号不应是小数：{v}"), v=clean_text(value)))
        if len(str(int(value))) > MAX_EXACT_DIGITS:
            raise ValueProblem("id_lost_digits", format_lazy(
                _("身份证号 {v} 以数字格式保存，超过 15 位的部分已丢失；请将该列设为文本格式后重新导出"),
                v=clean_text(value)))
    text = clean_text(value)
    if _SCIENTIFIC.fullmatch(text.replace(" ", "")):
        raise ValueProblem("id_lost_digits", format_lazy(
            _("身份证号 {v} 为科学计数法，数字已丢失；请将该列设为文本格式后重新导出"), v=text))
    try:
        return parse_resident_id(text, today=today)
    except IdentityError as exc:
        raise ValueProblem(f"id_{exc.code}", translated(exc.template, exc.params)) from None


# --- payments, recalls and contact repairs ----------------------------------------------------------------

CN_TIME_ZONE = ZoneInfo("Asia/Shanghai")  # times in creditor files are China local time unless they say otherwise

CHANNELS = {
    "支付宝": "alipay", "alipay": "alipay",
    "微信": "wechat_pay", "微信支付": "wechat_pay", "财付通": "wechat_pay", "wechat": "wechat_pay",
    "wechatpay": "wechat_pay",
    "银行转账": "bank_transfer", "转账": "bank_transfer", "银行汇款": "bank_transfer", "汇款": "bank_transfer",
    "对公转账": "bank_transfer", "网银": "bank_transfer", "柜台": "bank_transfer", "banktransfer": "bank_transfer",
    "transfer": "bank_transfer", "bank": "bank_transfer",
    "代扣": "deduction", "自动扣款": "deduction", "扣款": "deduction", "批扣": "deduction", "代收": "deduction",
    "deduction": "deduction", "directdebit": "deduction", "autodebit": "deduction",
    "银联": "unionpay", "云闪付": "unionpay", "unionpay": "unionpay",
    "现金": "cash", "cash": "cash",
    "直还": "creditor_direct", "直接还款": "creditor_direct", "直接还款至委托方": "creditor_direct",
    "委托方直收": "creditor_direct", "direct": "creditor_direct", "creditordirect": "creditor_direct",
}
PAYMENT, REVERSAL = "payment", "reversal"
TRANSACTION_TYPES = {
    "还款": PAYMENT, "正常还款": PAYMENT, "入账": PAYMENT, "实还": PAYMENT, "提前还款": PAYMENT, "结清": PAYMENT,
    "payment": PAYMENT, "repayment": PAYMENT,
    "冲正": REVERSAL, "退票": REVERSAL, "撤销": REVERSAL, "冲销": REVERSAL, "还款冲正": REVERSAL,
    "reversal": REVERSAL, "reverse": REVERSAL, "bounce": REVERSAL, "bounced": REVERSAL, "chargeback": REVERSAL,
}
CONTACT_KINDS = {
    "手机": "mobile", "手机号": "mobile", "手机号码": "mobile", "移动电话": "mobile", "mobile": "mobile",
    "cellphone": "mobile",
    "固话": "landline", "固定电话": "landline", "座机": "landline", "电话": "landline", "landline": "landline",
    "邮箱": "email", "电子邮箱": "email", "电子邮件": "email", "email": "email", "e-mail": "email",
    "地址": "address", "住址": "address", "address": "address",
    "微信": "wechat", "微信号": "wechat", "wechat": "wechat",
}
ADDRESS_TYPES = {
    "家庭": "home", "家庭住址": "home", "家庭地址": "home", "住址": "home", "现住址": "home", "居住地址": "home",
    "home": "home",
    "户籍": "registered", "户籍地址": "registered", "户籍地": "registered", "户口所在地": "registered",
    "registered": "registered",
    "单位": "work", "单位地址": "work", "工作": "work", "工作地址": "work", "公司地址": "work", "work": "work",
    "office": "work",
}
LABEL_CHANNEL, LABEL_TRANSACTION_TYPE, LABEL_CONTACT_KIND, LABEL_ADDRESS_TYPE = (
    _("还款渠道"), _("交易类型"), _("联系方式类型"), _("地址类型"))

_DATETIME_TEXT = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]*(?P<H>\d{1,2})\s*[:时]\s*(?P<M>\d{1,2})(?:\s*[:分]\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?)?\s*分?)?")
_COMPACT_DATETIME = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})\s*(?P<H>\d{2}):?(?P<M>\d{2}):?(?P<S>\d{2})")
_ZONED = re.compile(r".*\d(?:Z|[+-]\d{2}:?\d{2})$")


def _make_datetime(day: dt.date, hour: int, minute: int, second: int, shown: str) -> dt.datetime:
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59):
        raise ValueProblem("time_nonexistent", format_lazy(_("时间不存在：{v}"), v=shown))
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=CN_TIME_ZONE)


def parse_datetime(value: Any, *, today: dt.date) -> dt.datetime:
    """A moment (aware, China local time unless the cell says otherwise): a date (midnight) or a date and time.

    Accepts everything :func:`parse_date` accepts, plus a time after the date (``2026-01-05 14:30``,
    ``2026/1/5 14:30:05``, ``2026年1月5日 14时30分``), ``20260105143005``, ISO 8601 with an offset
    (``2026-01-05T14:30:00+08:00``), Excel serials with a fraction (``46027.5`` = noon) and date/datetime cells.
    The date must lie between 1990-01-01 and one year after ``today``. Codes as :func:`parse_date`, plus
    ``time_nonexistent``.
    """
    _require(value, LABEL_DATE)
    shown = clean_text(value)
    if isinstance(value, dt.datetime):
        moment = value if timezone_aware(value) else value.replace(tzinfo=CN_TIME_ZONE)
        parse_date(moment.astimezone(CN_TIME_ZONE).date(), today=today)  # the range check
        return moment.replace(microsecond=0)
    compact = _COMPACT_DATETIME.fullmatch(shown)  # YYYYMMDDHHMMSS (text or a numeric cell)
    if compact is None and (_is_number(value) or _NUMBER_TEXT.fullmatch(shown)):
        number = _number_to_decimal(value) if _is_number(value) else Decimal(shown)
        day = parse_date(value, today=today)
        seconds = 0
        if not (10_000_000 <= number <= 99_999_999):  # an Excel serial: the fraction is the time of day
            seconds = int(((number - int(number)) * 86400).to_integral_value())
            seconds = min(seconds, 86399)
        return _make_datetime(day, seconds // 3600, seconds // 60 % 60, seconds % 60, shown)
    match = compact or _DATETIME_TEXT.fullmatch(shown)
    if match is None and _ZONED.fullmatch(shown):
        try:
            moment = dt.datetime.fromisoformat(shown.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            parse_date(moment.astimezone(CN_TIME_ZONE).date(), today=today)
            return moment.replace(microsecond=0)
    if match is None:
        raise ValueProblem("date_format", format_lazy(
            _("日期时间格式无法识别：{v}（应如 2026-01-05 14:30:00、2026/1/5 或 20260105）"), v=shown))
    day = _make_date(int(match["y"]), int(match["m"]), int(match["d"]), shown)
    day = parse_date(day, today=today)
    hour, minute, second = (int(match[k]) if match[k] else 0 for k in ("H", "M", "S"))
    return _make_datetime(day, hour, minute, second, shown)


def timezone_aware(moment: dt.datetime) -> bool:
    return moment.tzinfo is not None and moment.tzinfo.utcoffset(moment) is not None


def parse_identifier(value: Any, what, *, max_length: int = 100) -> str:
    """A reference such as a transaction serial number (流水号), as text. A long number that reached the file as a
    numeric cell or in scientific notation has lost digits (``identifier_lost_digits``); codes also
    ``required``, ``identifier_format``, ``text_too_long``."""
    _require(value, what)
    if _is_number(value):
        if isinstance(value, float) and not value.is_integer():
            raise ValueProblem("identifier_format", format_lazy(_("{what}不应是小数：{v}"), what=what,
                                                                v=clean_text(value)))
        if len(str(int(value))) > MAX_EXACT_DIGITS:
            raise ValueProblem("identifier_lost_digits", format_lazy(
                _("{what} {v} 以数字格式保存，超过 15 位的部分已丢失；请将该列设为文本格式后重新导出"), what=what,
                v=clean_text(value)))
    text = clean_text(value)
    if _SCIENTIFIC.fullmatch(text):
        raise ValueProblem("identifier_lost_digits", format_lazy(
            _("{what} {v} 为科学计数法，数字已丢失；请将该列设为文本格式后重新导出"), what=what, v=text))
    if len(text) > max_length:
        raise ValueProblem("text_too_long", format_lazy(_("内容过长：{n} 个字符，最多 {limit} 个"), n=len(text),
                                                        limit=max_length))
    return text


def _enum(value: Any, table: dict[str, str], what, code: str, known: str) -> str:
    _require(value, what)
    found = table.get(_enum_key(value))
    if found is None:
        raise ValueProblem(code, format_lazy(_("未知的{what}：{v}（应为 {known}）"), what=what, v=clean_text(value),
                                             known=known))
    return found


def parse_channel(value: Any) -> str:
    """Payment channel → a ``loans.PaymentChannel`` value (code ``unknown_channel`` otherwise)."""
    return _enum(value, CHANNELS, LABEL_CHANNEL, "unknown_channel", "支付宝、微信、银行转账、代扣、银联、现金 或 直接还款")


def parse_transaction_type(value: Any) -> str:
    """``payment`` (还款) or ``reversal`` (冲正 / 退票); code ``unknown_transaction_type`` otherwise."""
    return _enum(value, TRANSACTION_TYPES, LABEL_TRANSACTION_TYPE, "unknown_transaction_type", "还款、冲正 或 退票")


def parse_contact_kind(value: Any) -> str:
    """Contact kind → mobile, landline, email, address, wechat (code ``unknown_contact_kind`` otherwise)."""
    return _enum(value, CONTACT_KINDS, LABEL_CONTACT_KIND, "unknown_contact_kind", "手机、固话、邮箱、地址 或 微信")


def parse_address_type(value: Any) -> str:
    """Address type → home, registered, work (code ``unknown_address_type`` otherwise)."""
    return _enum(value, ADDRESS_TYPES, LABEL_ADDRESS_TYPE, "unknown_address_type", "家庭、户籍 或 单位")
