"""Contact-repair files (信修文件): verified contact details a creditor (or a repair service) found for a person.

Columns: 身份证号 or 借据号 (at least one, to find the person; when both are given they must name the same person),
联系方式类型 (手机 / 固话 / 邮箱 / 地址 / 微信; default 手机, an e-mail address is recognised), 联系方式 (required),
地址类型 (家庭 / 户籍 / 单位, for addresses), 关系 and 联系人姓名 (when either is given the number belongs to a
related party, not to the person), 姓名 (checked against the person's name: a difference is a warning).

What a row does:

- the person's own contact detail becomes a contact point with source *repair* (信息修复), source detail
  ``<creditor code> #<batch>``, status valid and ``verified_at`` now → *created*. The same value already on file
  → *unchanged*, but marked verified (``verified_at`` now); when its status was unknown or invalid it becomes
  valid → *updated*. A value marked wrong party or do-not-contact keeps that status (a warning says so);
- an invalid phone number does not reject the row: it is kept with status invalid and reported as a warning
  (as in placement files); an invalid e-mail address rejects the row;
- a related party's number adds a related party (spouse by relation words, else an emergency contact when the
  relation says so, else *other*: a repair file does not make anyone liable for the debt) → *created*; the
  same number for that person again → *unchanged*. Only phone numbers can be given for a related party;
- a person Concord does not know, or who has no account with this creditor → *rejected*.

Writes in bulk per chunk (one lookup per table); the run records one audit event per chunk.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from concord.cases.models import Case
from concord.core import clock
from concord.core.masking import mask
from concord.core.text import translated
from concord.debtors import merge, provenance
from concord.debtors.identity import IdentityError, normalize_email
from concord.debtors.models import (
    AddressType,
    ContactKind,
    ContactPoint,
    ContactSource,
    ContactStatus,
    Debtor,
    IdType,
    PartyRole,
    RelatedParty,
)
from concord.loans.models import LoanAccount

from . import values as v
from .kindrows import RowSpec, file_parser, problem
from .mapping import CONTACTS, catalogue
from .rows import FieldProblem, RowResult, name_parser, reference_parser, text_parser

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
PHONE_KINDS = (ContactKind.MOBILE, ContactKind.LANDLINE)
MAX_LENGTH = {ContactKind.WECHAT: 64, ContactKind.EMAIL: 254, ContactKind.ADDRESS: 255}


@dataclass
class ContactRecord:
    kind: str
    value: str  # E.164 for a valid phone, normalised e-mail, else the text as written
    status: str  # valid / invalid
    national_id: str = ""
    account_reference: str = ""
    full_name: str = ""
    address_type: str = ""
    relation: str = ""
    contact_name: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def for_party(self) -> bool:
        return bool(self.relation or self.contact_name)


def _build(parsed: dict[str, Any], result: RowResult, column_of: dict[str, str], today: dt.date):
    raw = parsed["contact_value"]
    kind = parsed.get("contact_kind") or (ContactKind.EMAIL if "@" in raw else ContactKind.MOBILE)
    status, value = ContactStatus.VALID, raw
    party = bool(parsed.get("relation") or parsed.get("contact_name"))
    if party and kind not in PHONE_KINDS:
        problem(result, column_of, "contact_kind", "party_needs_phone", format_lazy(
            _("填写了关系或联系人姓名时，联系方式须为电话号码（本行为“{kind}”）"), kind=ContactKind(kind).label),
            ContactKind(kind).label)
        return None
    if kind in PHONE_KINDS:
        try:
            value = v.parse_phone(raw)
        except v.ValueProblem as exc:
            problem(result, column_of, "contact_value", exc.code, exc.message, raw, warning=True)
            status = ContactStatus.INVALID
    elif kind == ContactKind.EMAIL:
        try:
            value = normalize_email(raw)
        except IdentityError as exc:
            params = {**exc.params, "v": mask("email", exc.params["v"])} if "v" in exc.params else exc.params
            problem(result, column_of, "contact_value", f"email_{exc.code}", translated(exc.template, params), raw)
            return None
    if len(value) > MAX_LENGTH.get(kind, 255):
        problem(result, column_of, "contact_value", "text_too_long", format_lazy(
            _("内容过长：{n} 个字符，最多 {limit} 个"), n=len(value), limit=MAX_LENGTH.get(kind, 255)), raw)
        return None
    resident = parsed.get("national_id")
    return ContactRecord(
        kind=kind, value=value, status=status, national_id=resident.number if resident else "",
        account_reference=parsed.get("account_reference", ""), full_name=parsed.get("full_name", ""),
        address_type=parsed.get("address_type", "") if kind == ContactKind.ADDRESS else AddressType.NONE,
        relation=parsed.get("relation", ""), contact_name=parsed.get("contact_name", ""))


SPEC = RowSpec(catalogue=catalogue(CONTACTS), parsers={
    "national_id": lambda value, today: v.parse_national_id(value, today=today),
    "account_reference": reference_parser,
    "full_name": name_parser(50),
    "contact_kind": lambda value, today: v.parse_contact_kind(value),
    "contact_value": text_parser(255),
    "address_type": lambda value, today: v.parse_address_type(value),
    "relation": text_parser(50),
    "contact_name": name_parser(100),
}, build=_build)

parse_file = file_parser(SPEC)


def key(result: RowResult) -> tuple:
    record = result.record
    return (record.national_id or record.account_reference, record.for_party, record.kind, record.value)


def audit_label(result: RowResult) -> str:
    """How the chunk's audit event names a row: the person and the value masked (no personal data in clear)."""
    record = result.record
    person = mask("id_number", record.national_id) if record.national_id else record.account_reference
    party = "/party" if record.for_party else ""
    return f"{person}{party}/{record.kind}/{mask(record.kind, record.value)}"


def _index(model, name: str, raw: str) -> str:
    return model._meta.get_field(name).compute(raw)


class ContactWriter:
    """Lands chunks of contact-repair rows for one creditor and one batch."""

    def __init__(self, creditor, *, batch, actor, today: dt.date):
        self.creditor, self.batch, self.actor, self.today = creditor, batch, actor, today
        self.source_detail = f"{creditor.code} #{batch.pk}"[:100]

    def write(self, results: list[RowResult]) -> dict[int, str]:
        outcome: dict[int, str] = {}
        people = self._people(results)
        rows = []
        for r in results:
            if r.errors:
                outcome[r.row_number] = REJECTED
            else:
                rows.append(r)
        ids = {people[r.row_number].pk for r in rows}
        now = clock.now()
        points = {(p.debtor_id, p.kind, p.value_index): p for p in ContactPoint.objects.filter(debtor_id__any_of=ids)}
        known: dict[int, list] = {pk: [] for pk in ids}
        for (debtor_id, kind, index), point in points.items():
            known[debtor_id].append((kind, index, point.is_primary))
        books = {pk: merge.ContactBook(their) for pk, their in known.items()}
        parties = {(p["debtor_id"], merge.party_key(p["phone_index"], p["full_name"])) for p in
                   RelatedParty.objects.filter(debtor_id__any_of=ids).values("debtor_id", "phone_index", "full_name")}
        new_points, new_parties, changed, added = [], [], {}, set()
        for r in rows:
            record, debtor = r.record, people[r.row_number]
            if merge.name_differs(debtor.full_name, record.full_name):
                r.warnings.append(FieldProblem("full_name", None, "name_mismatch", format_lazy(
                    _("该债务人登记的姓名为“{known}”，文件中为“{given}”"), known=debtor.full_name,
                    given=record.full_name), record.full_name))
            if record.for_party:
                outcome[r.row_number] = self._party(record, debtor, parties, new_parties)
                continue
            index = _index(ContactPoint, "value_index", record.value)
            point_key = (debtor.pk, record.kind, index)
            point = points.get(point_key)
            primary = books[debtor.pk].merge(record.kind, index, record.status)
            if primary is not None:
                point = ContactPoint(debtor=debtor, kind=record.kind, value=record.value,
                                     address_type=record.address_type, source=ContactSource.REPAIR,
                                     source_detail=self.source_detail, status=record.status, is_primary=primary,
                                     verified_at=now if record.status == ContactStatus.VALID else None,
                                     suppliers=[self.creditor.pk])
                points[point_key] = point
                new_points.append(point)
                added.add(point_key)
                outcome[r.row_number] = CREATED
            elif point_key in added:
                outcome[r.row_number] = UNCHANGED
            else:
                if self.creditor.pk not in point.suppliers:  # on file already: this creditor supplies it too
                    point.suppliers = provenance.with_supplier(point.suppliers, self.creditor.pk)
                    changed[point.pk] = point
                if record.status != ContactStatus.VALID:
                    outcome[r.row_number] = UNCHANGED
                    continue
                outcome[r.row_number] = self._verify(r, point, now)
                changed[point.pk] = point
        ContactPoint.objects.bulk_create(new_points)
        RelatedParty.objects.bulk_create(new_parties)
        ContactPoint.objects.bulk_update(list(changed.values()), ["status", "verified_at", "suppliers"])
        return outcome

    @staticmethod
    def _verify(r: RowResult, point: ContactPoint, now) -> str:
        """The value is already on file: mark it verified; an unknown or invalid one becomes valid."""
        point.verified_at = now
        if point.status in (ContactStatus.UNKNOWN, ContactStatus.INVALID):
            point.status = ContactStatus.VALID
            return UPDATED
        if point.status != ContactStatus.VALID:
            r.warnings.append(FieldProblem("contact_value", None, "contact_status_kept", format_lazy(
                _("该联系方式已标记为“{status}”，保持不变"), status=ContactStatus(point.status).label),
                r.record.value))
        return UNCHANGED

    def _party(self, record: ContactRecord, debtor: Debtor, parties: set, new_parties: list) -> str:
        name = (record.contact_name or record.relation or str(_("联系人")))[:100]
        party_key = (debtor.pk, merge.party_key(_index(RelatedParty, "phone_index", record.value), name))
        if party_key in parties:
            return UNCHANGED
        parties.add(party_key)
        # a repair file makes no one liable for the debt: an unnamed relation is "other"
        new_parties.append(RelatedParty(debtor=debtor, role=merge.party_role(record.relation, otherwise=PartyRole.OTHER),
                                        full_name=name, relation=record.relation[:50], phone=record.value))
        return CREATED

    def _people(self, results: list[RowResult]) -> dict[int, Debtor]:
        """row number → the person the row is about; rows whose person cannot be found get their reason."""
        by_index = {_index(Debtor, "id_number_index", r.record.national_id): r.record.national_id
                    for r in results if r.record.national_id}
        debtors = {d.id_number_index: d for d in Debtor.objects.filter(id_type=IdType.CN_RIC,
                                                                      id_number_index__any_of=list(by_index))
                   .only("id", "full_name", "id_number_index")}
        by_id = {number: debtors.get(index) for index, number in by_index.items()}
        references = [r.record.account_reference for r in results if r.record.account_reference]
        accounts = {a.reference: a for a in LoanAccount.objects.filter(creditor=self.creditor,
                                                                       reference__any_of=references)
                    .select_related("debtor").only("id", "reference", "debtor__id", "debtor__full_name")}
        debtor_ids = [d.pk for d in debtors.values()]
        ours = set(Case.objects.filter(creditor=self.creditor, debtor_id__any_of=debtor_ids)
                   .values_list("debtor_id", flat=True))
        ours |= set(LoanAccount.objects.filter(creditor=self.creditor, debtor_id__any_of=debtor_ids)
                    .values_list("debtor_id", flat=True))
        people: dict[int, Debtor] = {}
        for r in results:
            record = r.record
            by_reference = None
            if record.account_reference:
                account = accounts.get(record.account_reference)
                if account is None:
                    r.errors.append(FieldProblem("account_reference", None, "account_unknown", format_lazy(
                        _("委托方 {creditor} 名下没有借据号 {ref}"), creditor=self.creditor.code,
                        ref=record.account_reference), record.account_reference))
                    continue
                by_reference = account.debtor
            if record.national_id:
                debtor = by_id.get(record.national_id)
                if debtor is None or debtor.pk not in ours:
                    r.errors.append(FieldProblem("national_id", None, "person_unknown", format_lazy(
                        _("委托方 {creditor} 名下没有该身份证号的债务人"), creditor=self.creditor.code),
                        record.national_id))
                    continue
                if by_reference is not None and by_reference.pk != debtor.pk:
                    r.errors.append(FieldProblem("account_reference", None, "account_other_person", format_lazy(
                        _("借据号 {ref} 属于另一位债务人，与身份证号不符"), ref=record.account_reference),
                        record.account_reference))
                    continue
                people[r.row_number] = debtor
            else:
                people[r.row_number] = by_reference
        return people


def contact_writer(creditor, *, batch, actor, today):
    return ContactWriter(creditor, batch=batch, actor=actor, today=today)
