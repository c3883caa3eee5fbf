"""Column headers → Concord field names.

A :class:`MappingProfile` maps the column headers a creditor writes (``借据号``, ``Loan Number`` …) to
Concord's field names (``account_reference`` …). Headers are compared after :func:`normalize_header`:
whitespace, full-width characters, case, a ``*`` required marker, a trailing colon and unit suffixes such as
``(元)`` / ``（元）`` / ``(%)`` / ``(天)`` do not matter.

:data:`DEFAULT_PROFILE` knows the Chinese and English headers of the placement file. A creditor's own profile
(saved as JSON with :meth:`MappingProfile.to_dict`) adds or overrides columns; unless ``include_defaults`` is
false the default headers are still recognised.

Pure: no database.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from django.utils.translation import gettext_lazy as _

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
FIELDS = tuple(FIELD_HEADERS)
FIELD_LABELS = {name: label for name, (label, _headers) in FIELD_HEADERS.items()}

MIN_RECOGNISED = len(REQUIRED_FIELDS)

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


@dataclass
class MappingProfile:
    """A named column → field mapping; ``columns`` keys are headers as written in files.

    Serialisable as JSON via :meth:`to_dict` / :meth:`from_dict`.
    """

    name: str
    columns: dict[str, str] = field(default_factory=dict)
    include_defaults: bool = True

    def __post_init__(self):
        unknown = sorted(set(self.columns.values()) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown Concord field(s) in profile {self.name!r}: {', '.join(unknown)}")
        # normalised header → (field, rank); a lower rank is preferred; the profile's own headers come first
        lookup: dict[str, tuple[str, tuple[int, int]]] = {}
        if self.include_defaults:
            lookup.update({key: (name, (1, rank[1])) for key, (name, rank) in _DEFAULT_LOOKUP.items()})
        for rank, (header, field_name) in enumerate(self.columns.items()):
            lookup[normalize_header(header)] = (field_name, (0, rank))
        self._lookup = lookup

    def field_for(self, header: Any) -> str | None:
        """The Concord field a header means, or ``None``."""
        found = self._lookup.get(normalize_header(header))
        return found[0] if found else None

    def to_dict(self) -> dict:
        return {"name": self.name, "columns": dict(self.columns), "include_defaults": self.include_defaults}

    @classmethod
    def from_dict(cls, data: dict) -> "MappingProfile":
        return cls(name=data["name"], columns=dict(data.get("columns", {})),
                   include_defaults=bool(data.get("include_defaults", True)))

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
        """Required fields no column of this header row maps to."""
        mapped = {self.field_for(c) for c in cells if c is not None}
        return [f for f in REQUIRED_FIELDS if f not in mapped]

    def is_header_row(self, cells: Iterable[Any]) -> bool:
        """A header row has at least :data:`MIN_RECOGNISED` recognised columns, all required ones among them."""
        cells = list(cells)
        recognised = {self.field_for(c) for c in cells if isinstance(c, str)} - {None}
        return len(recognised) >= MIN_RECOGNISED and all(f in recognised for f in REQUIRED_FIELDS)


def _default_columns() -> dict[str, str]:
    return {header: name for name, (_label, headers) in FIELD_HEADERS.items() for header in headers}


_DEFAULT_LOOKUP: dict = {}
DEFAULT_PROFILE = MappingProfile("default", _default_columns(), include_defaults=False)
"""The built-in profile: the Chinese and English headers of the placement file."""
_DEFAULT_LOOKUP.update(DEFAULT_PROFILE._lookup)


def match_header(cells: Iterable[Any], profile: MappingProfile | None = None) -> tuple[dict[str, str], list[str]]:
    """``(mapping, unknown_columns)`` for a header row under ``profile`` (default: :data:`DEFAULT_PROFILE`)."""
    return (profile or DEFAULT_PROFILE).match_header(cells)


def is_header_row(cells: Iterable[Any], profile: MappingProfile | None = None) -> bool:
    """Whether ``cells`` look like the header row (enough recognised columns, including the required ones)."""
    return (profile or DEFAULT_PROFILE).is_header_row(cells)
