"""Column headers → Concord field names, per kind of file.

Each kind of file (placements 委案, payments 还款, recalls 退案, contacts 信修) has a :class:`Catalogue`: its
fields, the Chinese and English headers recognised for each by default, the Chinese label of each field and the
fields a file must have. A :class:`MappingProfile` maps the column headers a creditor writes (``借据号``,
``Loan Number`` …) to the fields of one kind (``account_reference`` …). Headers are compared after
:func:`normalize_header`: whitespace, full-width characters, case, a ``*`` required marker, a trailing colon and
unit suffixes such as ``(元)`` / ``（元）`` / ``(%)`` / ``(天)`` do not matter.

:func:`default_profile` gives the built-in profile of a kind; :data:`DEFAULT_PROFILE` is the placement one.
A creditor's own profile (saved as JSON with :meth:`MappingProfile.to_dict`) adds or overrides columns; unless
``include_defaults`` is false the kind's default headers are still recognised.

The module-level names ``FIELD_HEADERS``, ``REQUIRED_FIELDS``, ``FIELDS`` describe the placement file (as
before); ``FIELD_LABELS`` knows the labels of every kind's fields (one field name has one label everywhere).

Pure: no database.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

PLACEMENTS, PAYMENTS, RECALLS, CONTACTS = "placements", "payments", "recalls", "contacts"

REQUIRED_FIELDS = ("full_name", "national_id", "account_reference", "product", "contract_amount")

# field → (Chinese label, headers recognised by default, in order of preference: when two columns of one
# file map to the same field the header earlier in this list wins, the other column is left unmapped).
FIELD_HEADERS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "full_name": (_("姓名"), ("姓名", "客户姓名", "借款人姓名", "持卡人姓名", "借款人", "Name", "Full Name",
                             "Customer Name", "Borrower Name")),
    "national_id": (_("身份证号"), ("身份证号", "身份证号码", "身份证", "证件号码", "证件号", "ID Number", "ID No",
                                 "ID Card Number", "National ID", "Resident ID")),
    "mobile": (_("手机号"), ("手机号", "手机号码", "手机", "移动电话", "Mobile", "Mobile Number", "Mobile Phone",
                           "Phone", "Cell Phone")),
    "account_reference": (_("借据号"), ("借据号", "借据编号", "合同号", "合同编号", "卡号", "账号", "Loan Number",
                                    "Loan No", "Contract Number", "Contract No", "Account Number",
                                    "Card Number")),
    "product": (_("产品"), ("产品", "产品类型", "业务类型", "Product", "Product Type")),
    "contract_amount": (_("合同金额"), ("合同金额", "借款金额", "贷款金额", "授信额度", "Contract Amount",
                                    "Loan Amount", "Credit Limit")),
    "annual_rate": (_("年利率"), ("年利率", "年化利率", "Annual Rate", "Interest Rate", "APR")),
    "term_months": (_("期数"), ("期数", "借款期数", "贷款期限", "Term", "Term Months", "Tenor")),
    "repayment_method": (_("还款方式"), ("还款方式", "Repayment Method", "Repayment Type")),
    "loan_date": (_("放款日期"), ("放款日期", "放款日", "借款日期", "Loan Date", "Disbursement Date")),
    "due_date": (_("应还日期"), ("应还日期", "到期日期", "到期日", "最后应还日期", "Due Date")),
    "dpd": (_("逾期天数"), ("逾期天数", "Days Past Due", "DPD", "Overdue Days")),
    "overdue_principal": (_("逾期本金"), ("逾期本金", "Overdue Principal")),
    "overdue_interest": (_("逾期利息"), ("逾期利息", "Overdue Interest")),
    "penalty": (_("罚息"), ("罚息", "罚息金额", "Penalty", "Penalty Interest")),
    "remaining_principal": (_("剩余本金"), ("剩余本金", "未还本金", "Remaining Principal",
                                        "Outstanding Principal")),
    "home_address": (_("家庭住址"), ("家庭住址", "家庭地址", "住址", "Home Address", "Address")),
    "employer": (_("工作单位"), ("工作单位", "单位名称", "Employer", "Company")),
    "emergency_contact_name": (_("紧急联系人"), ("紧急联系人", "紧急联系人姓名", "Emergency Contact",
                                             "Emergency Contact Name")),
    "emergency_contact_phone": (_("紧急联系人电话"), ("紧急联系人电话", "紧急联系人手机", "紧急联系人手机号",
                                                "Emergency Contact Phone", "Emergency Contact Mobile")),
    "emergency_contact_relation": (_("紧急联系人关系"), ("紧急联系人关系", "与紧急联系人关系", "关系",
                                                   "Emergency Contact Relation",
                                                   "Emergency Contact Relationship")),
    "placed_on": (_("委案日期"), ("委案日期", "委托日期", "Placement Date")),
    "return_on": (_("退案日期"), ("退案日期", "委托到期日", "Return Date")),
}

_ACCOUNT_REFERENCE = FIELD_HEADERS["account_reference"]

# 还款文件: one row per repayment (or per reversal of one).
PAYMENT_FIELD_HEADERS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "account_reference": _ACCOUNT_REFERENCE,
    "amount": (_("还款金额"), ("还款金额", "实还金额", "入账金额", "交易金额", "金额", "Amount", "Payment Amount",
                           "Paid Amount", "Transaction Amount")),
    "paid_at": (_("还款日期"), ("还款日期", "还款时间", "实还日期", "入账日期", "入账时间", "交易日期", "交易时间",
                            "Payment Date", "Payment Time", "Paid At", "Transaction Date", "Transaction Time")),
    "external_reference": (_("交易流水号"), ("交易流水号", "流水号", "还款流水号", "交易编号", "Transaction Reference",
                                        "Transaction ID", "Transaction No", "Payment Reference", "Reference")),
    "channel": (_("还款渠道"), ("还款渠道", "渠道", "支付渠道", "还款方式", "Channel", "Payment Channel",
                            "Payment Method")),
    "transaction_type": (_("交易类型"), ("交易类型", "类型", "业务类型", "Type", "Transaction Type")),
    "original_reference": (_("原交易流水号"), ("原交易流水号", "原流水号", "被冲正流水号", "Original Reference",
                                          "Original Transaction Reference", "Original Transaction ID")),
    "payer_name": (_("付款人"), ("姓名", "付款人", "付款人姓名", "客户姓名", "借款人姓名", "Name", "Payer",
                              "Payer Name", "Customer Name")),
    "reversal_reason": (_("冲正原因"), ("冲正原因", "退票原因", "Reversal Reason", "Reason")),
}
PAYMENT_REQUIRED = ("account_reference", "amount", "paid_at", "external_reference")

# 退案文件: the accounts a creditor takes back.
RECALL_FIELD_HEADERS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "account_reference": _ACCOUNT_REFERENCE,
    "recalled_on": (_("退案日期"), ("退案日期", "撤案日期", "退案时间", "Recall Date", "Return Date")),
    "recall_reason": (_("退案原因"), ("退案原因", "撤案原因", "原因", "Recall Reason", "Reason")),
    "full_name": FIELD_HEADERS["full_name"],
}
RECALL_REQUIRED = ("account_reference",)

# 信修文件: repaired contact details of a person (found by ID number or account reference).
CONTACT_FIELD_HEADERS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "national_id": FIELD_HEADERS["national_id"],
    "account_reference": _ACCOUNT_REFERENCE,
    "full_name": (_("姓名"), ("姓名", "客户姓名", "借款人姓名", "持卡人姓名", "借款人", "Name", "Full Name",
                             "Customer Name", "Borrower Name", "Debtor Name")),
    "contact_kind": (_("联系方式类型"), ("联系方式类型", "联系类型", "号码类型", "类型", "Contact Type", "Type")),
    "contact_value": (_("联系方式"), ("联系方式", "号码", "联系电话", "电话", "电话号码", "手机号", "手机号码",
                                  "修复号码", "新号码", "Contact", "Contact Value", "Contact Detail", "Number",
                                  "Phone", "Phone Number", "Mobile")),
    "address_type": (_("地址类型"), ("地址类型", "Address Type")),
    "relation": (_("关系"), ("关系", "与本人关系", "联系人关系", "Relation", "Relationship")),
    "contact_name": (_("联系人姓名"), ("联系人姓名", "联系人", "Contact Name")),
}
CONTACT_REQUIRED = ("contact_value",)
CONTACT_ONE_OF = (("national_id", "account_reference"),)

_UNIT_SUFFIX = re.compile(
    r"[(\[【](?:元|人民币|rmb|cny|yuan|%|天|日|月|个月|期|days?|months?|yyyy-mm-dd|yyyymmdd|必填|选填|required"
    r"|optional)[)\]】]$")
_DROP = re.compile(r"[\s_\-\u200b\ufeff]+")


def normalize_header(text: Any) -> str:
    """Comparable form of a header: NFKC, case-folded, no whitespace/``_``/``-``, no ``*`` marker,
    no trailing colon, no unit suffix like ``(元)``."""
    if text is None:
        return ""
    key = unicodedata.normalize("NFKC", str(text)).casefold()
    key = _DROP.sub("", key).strip("*:")
    previous = None
    while previous != key:  # "金额(元)(%)" is not a thing, but "合同金额(元):" is
        previous = key
        key = _UNIT_SUFFIX.sub("", key).strip("*:")
    return key


@dataclass(frozen=True, eq=False)
class Catalogue:
    """The fields of one kind of file: headers, labels, what is required.

    ``required``: fields every header row (and every row) must have; ``one_of``: groups of fields of which at
    least one must be there (e.g. ID number or account reference). A header row is recognised when it has at
    least ``min_recognised`` recognised columns and everything required.
    """

    kind: str
    headers: dict[str, tuple[Any, tuple[str, ...]]]
    required: tuple[str, ...]
    one_of: tuple[tuple[str, ...], ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.headers)

    @property
    def labels(self) -> dict[str, Any]:
        return {name: label for name, (label, _headers) in self.headers.items()}

    @property
    def min_recognised(self) -> int:
        return len(self.required) + len(self.one_of)

    def label(self, name: str):
        """The label of a field, or of a one-of group written ``a|b`` (``身份证号或借据号``)."""
        if "|" in name:
            return format_lazy(_("{a}或{b}"), a=self.label(name.split("|", 1)[0]),
                               b=self.label(name.split("|", 1)[1]))
        return self.labels.get(name, FIELD_LABELS.get(name, name))

    def default_columns(self) -> dict[str, str]:
        return {header: name for name, (_label, headers) in self.headers.items() for header in headers}


CATALOGUES: dict[str, Catalogue] = {
    PLACEMENTS: Catalogue(PLACEMENTS, FIELD_HEADERS, REQUIRED_FIELDS),
    PAYMENTS: Catalogue(PAYMENTS, PAYMENT_FIELD_HEADERS, PAYMENT_REQUIRED),
    RECALLS: Catalogue(RECALLS, RECALL_FIELD_HEADERS, RECALL_REQUIRED),
    CONTACTS: Catalogue(CONTACTS, CONTACT_FIELD_HEADERS, CONTACT_REQUIRED, CONTACT_ONE_OF),
}

FIELDS = tuple(FIELD_HEADERS)
FIELD_LABELS: dict[str, Any] = {}
for _catalogue in CATALOGUES.values():
    for _name, (_label, _h) in _catalogue.headers.items():
        FIELD_LABELS.setdefault(_name, _label)

MIN_RECOGNISED = len(REQUIRED_FIELDS)


def catalogue(kind: str) -> Catalogue:
    """The catalogue of a kind of file (``placements``, ``payments``, ``recalls``, ``contacts``)."""
    try:
        return CATALOGUES[kind]
    except KeyError:
        raise ValueError(f"unknown kind of import file: {kind!r}") from None


@dataclass
class MappingProfile:
    """A named column → field mapping for one kind of file; ``columns`` keys are headers as written in files.

    Serialisable as JSON via :meth:`to_dict` / :meth:`from_dict`.
    """

    name: str
    columns: dict[str, str] = field(default_factory=dict)
    include_defaults: bool = True
    kind: str = PLACEMENTS

    def __post_init__(self):
        self.catalogue = catalogue(self.kind)
        unknown = sorted(set(self.columns.values()) - set(self.catalogue.fields))
        if unknown:
            raise ValueError(f"unknown Concord field(s) in profile {self.name!r}: {', '.join(unknown)}")
        # normalised header → (field, rank); a lower rank is preferred; the profile's own headers come first
        lookup: dict[str, tuple[str, tuple[int, int]]] = {}
        if self.include_defaults:
            lookup.update({key: (name, (1, rank[1])) for key, (name, rank) in _default_lookup(self.kind).items()})
        for rank, (header, field_name) in enumerate(self.columns.items()):
            lookup[normalize_header(header)] = (field_name, (0, rank))
        self._lookup = lookup

    @property
    def labels(self) -> dict[str, Any]:
        return self.catalogue.labels

    def field_for(self, header: Any) -> str | None:
        """The Concord field a header means, or ``None``."""
        found = self._lookup.get(normalize_header(header))
        return found[0] if found else None

    def to_dict(self) -> dict:
        return {"name": self.name, "columns": dict(self.columns), "include_defaults": self.include_defaults,
                "kind": self.kind}

    @classmethod
    def from_dict(cls, data: dict) -> "MappingProfile":
        return cls(name=data["name"], columns=dict(data.get("columns", {})),
                   include_defaults=bool(data.get("include_defaults", True)), kind=data.get("kind", PLACEMENTS))

    def match_header(self, cells: Iterable[Any]) -> tuple[dict[str, str], list[str]]:
        """``(mapping, unknown_columns)`` for a header row.

        ``mapping`` maps each recognised column header (as written) to a field; when two columns mean the same
        field the preferred header wins and the other is listed in ``unknown_columns`` with the headers no
        rule knows. Blank headers are ignored.
        """
        best: dict[str, tuple[tuple[int, int], str]] = {}  # field → (rank, header)
        unknown: list[str] = []
        headers = [str(c).strip() for c in cells if c is not None and str(c).strip()]
        for header in headers:
            found = self._lookup.get(normalize_header(header))
            if found is None:
                unknown.append(header)
                continue
            field_name, rank = found
            if field_name not in best or rank < best[field_name][0]:
                if field_name in best:
                    unknown.append(best[field_name][1])
                best[field_name] = (rank, header)
            else:
                unknown.append(header)
        mapping = {header: field_name for field_name, (_rank, header) in best.items()}
        mapping = {h: mapping[h] for h in headers if h in mapping}  # file order
        unknown_set = set(unknown)
        return mapping, [h for h in headers if h in unknown_set]

    def missing_required(self, cells: Iterable[Any]) -> list[str]:
        """Required fields no column of this header row maps to; a missing one-of group is named ``a|b``."""
        mapped = {self.field_for(c) for c in cells if c is not None}
        missing = [f for f in self.catalogue.required if f not in mapped]
        missing += ["|".join(group) for group in self.catalogue.one_of if not mapped.intersection(group)]
        return missing

    def is_header_row(self, cells: Iterable[Any]) -> bool:
        """A header row has enough recognised columns, all required ones among them."""
        cells = list(cells)
        recognised = {self.field_for(c) for c in cells if isinstance(c, str)} - {None}
        return (len(recognised) >= self.catalogue.min_recognised
                and all(f in recognised for f in self.catalogue.required)
                and all(recognised.intersection(group) for group in self.catalogue.one_of))


_DEFAULT_LOOKUPS: dict[str, dict] = {}
_DEFAULT_PROFILES: dict[str, MappingProfile] = {}


def _default_lookup(kind: str) -> dict:
    if kind not in _DEFAULT_LOOKUPS:
        _DEFAULT_LOOKUPS[kind] = {}  # the built-in profile itself is made without defaults
        profile = MappingProfile("default", catalogue(kind).default_columns(), include_defaults=False, kind=kind)
        _DEFAULT_LOOKUPS[kind] = profile._lookup
        _DEFAULT_PROFILES[kind] = profile
    return _DEFAULT_LOOKUPS[kind]


def default_profile(kind: str = PLACEMENTS) -> MappingProfile:
    """The built-in profile of a kind of file: its Chinese and English headers."""
    _default_lookup(kind)
    return _DEFAULT_PROFILES[kind]


DEFAULT_PROFILE = default_profile(PLACEMENTS)
"""The built-in profile: the Chinese and English headers of the placement file."""


def match_header(cells: Iterable[Any], profile: MappingProfile | None = None) -> tuple[dict[str, str], list[str]]:
    """``(mapping, unknown_columns)`` for a header row under ``profile`` (default: :data:`DEFAULT_PROFILE`)."""
    return (profile or DEFAULT_PROFILE).match_header(cells)


def is_header_row(cells: Iterable[Any], profile: MappingProfile | None = None) -> bool:
    """Whether ``cells`` look like the header row (enough recognised columns, including the required ones)."""
    return (profile or DEFAULT_PROFILE).is_header_row(cells)
