"""Borrower-file actions. Every write validates, runs in one transaction and leaves an audit event
with PII masked; revealing a masked value is itself an audited action."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.access import restrict
from concord.core.services import changed, require, save_validated, snapshot
from concord.core.text import translated
from concord.staff.roles import Capability, may

from . import identity, merge, provenance, region
from .models import (
    Asset,
    BankStatementSummary,
    ContactPoint,
    ContactSource,
    ContactStatus,
    CreditReport,
    Debtor,
    Employment,
    FinancialProfile,
    IdType,
    OtherLoan,
    PartyRole,
    RelatedParty,
)
from .selectors import find_debtor

PII_KINDS = {"id_number": "id_number", "value": "address", "phone": "phone"}


def normalize_id(id_type: str, id_number: str) -> tuple[str, dict]:
    """Return the stored form of an ID and the facts derived from it; ValidationError on a bad ID."""
    if id_type not in IdType.values:
        raise ValidationError({"id_type": [_("未知证件类型：%(v)s") % {"v": id_type}]})
    if id_type == IdType.CN_RIC:
        try:
            parsed = identity.parse_resident_id(id_number, today=clock.today())
        except identity.IdentityError as exc:
            raise ValidationError({"id_number": ValidationError(translated(exc.template, exc.params), code=exc.code)})
        return parsed.number, {"birth_date": parsed.birth_date, "gender": parsed.gender}
    number = identity.normalize_text(id_number).upper()
    if not 5 <= len(number) <= 30 or not number.replace("-", "").isalnum():
        raise ValidationError({"id_number": [_("证件号码应为 5–30 位字母或数字")]})
    return number, {}


def _clean_name(full_name: str, field: str = "full_name") -> str:
    try:
        full_name = identity.check_name(full_name)
    except identity.IdentityError as exc:
        raise ValidationError({field: ValidationError(translated(exc.template, exc.params), code=exc.code)})
    if not full_name:
        raise ValidationError({field: [_("姓名不能为空")]})
    return full_name


@transaction.atomic
def register_debtor(actor, *, full_name: str, id_number: str, id_type: str = IdType.CN_RIC,
                    **details) -> Debtor:
    """A new person; refused when the ID is already registered. ``details``: locale, time_zone,
    lost_contact, deceased, incapacitated, and birth_date / gender where the ID does not give them."""
    full_name = _clean_name(full_name)
    number, derived = normalize_id(id_type, id_number)
    if find_debtor(id_type, number):
        raise ValidationError({"id_number": ValidationError(_("该证件号码的债务人已存在"), code="duplicate")})
    return _create_debtor(actor, full_name, id_type, number, derived, details)


@transaction.atomic
def find_or_register_debtor(actor, *, full_name: str, id_number: str, id_type: str = IdType.CN_RIC,
                            **details) -> tuple[Debtor, bool]:
    """The person with this ID (15- and 18-digit forms are one person), or a new one."""
    number, derived = normalize_id(id_type, id_number)
    existing = find_debtor(id_type, number)
    if existing:
        return existing, False
    return _create_debtor(actor, _clean_name(full_name), id_type, number, derived, details), True


def _create_debtor(actor, full_name: str, id_type: str, number: str, derived: dict, details: dict) -> Debtor:
    unknown = set(details) - {"locale", "time_zone", "lost_contact", "deceased", "incapacitated", "birth_date",
                              "gender"}
    if unknown:
        raise TypeError(f"unexpected debtor fields: {', '.join(sorted(unknown))}")
    debtor = Debtor(full_name=full_name, id_type=id_type, id_number=number, id_last4=number[-4:],
                    **{**details, **derived})
    save_validated(debtor)
    audit.record(actor, "debtor.register", debtor, {"full_name": full_name, "id_type": id_type,
                                                     "id_number": number}, pii_kinds={"id_number": "id_number",
                                                                                      "full_name": "name"})
    return debtor


FLAG_FIELDS = ("lost_contact", "deceased", "incapacitated", "locale", "time_zone", "full_name")


@transaction.atomic
def update_debtor(actor, debtor: Debtor, **changes) -> Debtor:
    unknown = set(changes) - set(FLAG_FIELDS)
    if unknown:
        raise ValidationError({f: [_("该字段不可修改")] for f in unknown})
    if "full_name" in changes:
        changes["full_name"] = _clean_name(changes["full_name"])
    before = snapshot(debtor, changes)
    for field, value in changes.items():
        setattr(debtor, field, value)
    save_validated(debtor)
    audit.record(actor, "debtor.update", debtor, changed(before, snapshot(debtor, changes)),
                 pii_kinds={"full_name": "name"})
    return debtor


def _normalized_contact(kind: str, value: str, status: str | None, keep_invalid: bool) -> tuple[str, str | None]:
    try:
        return identity.normalize_contact(kind, value), status
    except identity.IdentityError as exc:
        if not keep_invalid or exc.code == "required":
            raise ValidationError({"value": ValidationError(translated(exc.template, exc.params), code=exc.code)})
        return identity.normalize_text(value), ContactStatus.INVALID


@transaction.atomic
def add_contact_point(actor, debtor: Debtor, *, kind: str, value: str, address_type: str = "",
                      source: str = "creditor", status: str | None = None, is_primary: bool = False,
                      keep_invalid: bool = False, source_detail: str = "", supplied_by=None,
                      given_for_case=None) -> ContactPoint:
    """Add a phone, e-mail, WeChat or address. An invalid phone is refused, unless ``keep_invalid``
    (imports) — then it is stored with status *invalid* so the creditor's data is not lost.

    ``supplied_by``: the creditor whose data it is; ``given_for_case``: the case the debtor gave it about (its
    creditor is then the supplier). Which cases may use the point follows from these (``debtors.provenance``)."""
    normalized, status = _normalized_contact(kind, value, status, keep_invalid)
    supplier = getattr(supplied_by, "pk", supplied_by)
    if given_for_case is not None:
        require(given_for_case.debtor_id == debtor.pk, "given_for_case", _("该案件不属于此债务人"))
        supplier = supplier or given_for_case.creditor_id
    point = ContactPoint(debtor=debtor, kind=kind, value=normalized, address_type=address_type, source=source,
                         source_detail=source_detail[:100], status=status or ContactStatus.UNKNOWN,
                         is_primary=is_primary, suppliers=provenance.with_supplier([], supplier),
                         given_for_case=given_for_case)
    save_validated(point)
    if kind == "address" and (address_type == "home" or not debtor.province):
        province, city = region.parse(normalized)
        if province and (province, city) != (debtor.province, debtor.city):
            Debtor.objects.filter(pk=debtor.pk).update(province=province, city=city)
            debtor.province, debtor.city = province, city
    audit.record(actor, "contact_point.add", point, {"kind": kind, "value": normalized, "status": point.status,
                                                     "primary": point.is_primary, "source": source,
                                                     "suppliers": point.suppliers,
                                                     "given_for_case": getattr(given_for_case, "pk", None)},
                 pii_kinds={"value": "address" if kind == "address" else kind})
    return point


def _locked(debtor: Debtor) -> Debtor:
    """Hold the person while their file is merged into, so two merges of one value cannot both add it."""
    return Debtor.objects.select_for_update().get(pk=debtor.pk)


@transaction.atomic
def merge_contact_point(actor, debtor: Debtor, *, kind: str, value: str, status: str = ContactStatus.VALID,
                        address_type: str = "", source: str = ContactSource.CREDITOR,
                        source_detail: str = "", supplied_by=None) -> tuple[ContactPoint, bool]:
    """A contact detail from a creditor's data, merged by the rules imports share (:class:`merge.ContactBook`): added
    unless the person has that value of that kind already, a new valid mobile primary when there is none. Returns
    the point (the one on file when kept) and whether it was added."""
    debtor = _locked(debtor)
    normalized, _status = _normalized_contact(kind, value, status, keep_invalid=False)
    index = ContactPoint._meta.get_field("value_index").compute(normalized)
    points = ContactPoint.objects.filter(debtor=debtor)
    primary = merge.ContactBook(points.values_list("kind", "value_index", "is_primary")).merge(kind, index, status)
    if primary is None:  # on file already: this creditor supplied it too
        point = points.filter(kind=kind, value_index=index).first()
        supplier = getattr(supplied_by, "pk", supplied_by)
        if point is not None and supplier is not None and supplier not in point.suppliers:
            point.suppliers = provenance.with_supplier(point.suppliers, supplier)
            point.save(update_fields=["suppliers"])
            audit.record(actor, "contact_point.supplier", point, {"suppliers": point.suppliers})
        return point, False
    return add_contact_point(actor, debtor, kind=kind, value=normalized, address_type=address_type, source=source,
                             source_detail=source_detail, status=status, is_primary=primary,
                             supplied_by=supplied_by), True


@transaction.atomic
def set_contact_status(actor, point: ContactPoint, status: str) -> ContactPoint:
    before = snapshot(point, ["status"])
    point.status = status
    save_validated(point)
    audit.record(actor, "contact_point.status", point, changed(before, snapshot(point, ["status"])))
    return point


@transaction.atomic
def add_related_party(actor, debtor: Debtor, *, role: str, full_name: str, relation: str = "",
                      phone: str = "") -> RelatedParty:
    if phone:
        try:
            phone = identity.normalize_mobile(phone)
        except identity.IdentityError as exc:
            raise ValidationError({"phone": ValidationError(translated(exc.template, exc.params), code=exc.code)})
    party = save_validated(RelatedParty(debtor=debtor, role=role, full_name=_clean_name(full_name),
                                        relation=relation, phone=phone))
    audit.record(actor, "related_party.add", party, {"role": role, "full_name": party.full_name, "phone": phone},
                 pii_kinds={"phone": "phone", "full_name": "name"})
    return party


@transaction.atomic
def merge_related_party(actor, debtor: Debtor, *, full_name: str, relation: str = "", phone: str = "",
                        otherwise: str = PartyRole.EMERGENCY_CONTACT) -> tuple[RelatedParty | None, bool]:
    """A third party from a creditor's data (an emergency contact), merged by the rules imports share: the same phone
    number — or, without one, the same name — is the same person; the role follows from the relation words
    (:func:`merge.party_role`, ``otherwise`` when they say nothing). Returns the party (None when already known) and
    whether it was added."""
    debtor = _locked(debtor)
    full_name = _clean_name(full_name) if full_name.strip() else ""
    if phone:
        try:
            phone = identity.normalize_mobile(phone)
        except identity.IdentityError as exc:
            raise ValidationError({"phone": ValidationError(translated(exc.template, exc.params), code=exc.code)})
    key = merge.party_key(RelatedParty._meta.get_field("phone_index").compute(phone), full_name)
    known = {merge.party_key(index, name)
             for index, name in debtor.related_parties.values_list("phone_index", "full_name")}
    if key in known:
        return None, False
    return add_related_party(actor, debtor, role=merge.party_role(relation, otherwise=otherwise),
                             full_name=full_name, relation=relation[:50], phone=phone), True


def _add(actor, action: str, obj):
    save_validated(obj)
    fields = [f.name for f in obj._meta.concrete_fields if f.name not in ("id", "debtor")]
    audit.record(actor, action, obj, {f: getattr(obj, f) for f in fields})
    return obj


@transaction.atomic
def set_employment(actor, debtor: Debtor, *, employer_name: str, position: str = "",
                   since: dt.date | None = None) -> Employment:
    debtor.employments.filter(is_current=True).update(is_current=False)
    return _add(actor, "employment.set", Employment(debtor=debtor, employer_name=employer_name,
                                                    position=position, since=since, is_current=True))


@transaction.atomic
def merge_employer(actor, debtor: Debtor, *, employer_name: str) -> tuple[Employment | None, bool]:
    """An employer from a creditor's data, merged by the rules imports share (:class:`merge.EmployerBook`): added
    when the person does not have it yet, current only when no employer is current. Returns the new employment
    (None when already known) and whether it was added."""
    debtor = _locked(debtor)
    current = merge.EmployerBook(debtor.employments.values_list("employer_name", "is_current")).merge(employer_name)
    if current is None:
        return None, False
    return _add(actor, "employment.add", Employment(debtor=debtor, employer_name=employer_name,
                                                    is_current=current)), True


@transaction.atomic
def record_financial_profile(actor, debtor: Debtor, **fields) -> FinancialProfile:
    return _add(actor, "financial_profile.record", FinancialProfile(debtor=debtor, **fields))


@transaction.atomic
def add_asset(actor, debtor: Debtor, **fields) -> Asset:
    return _add(actor, "asset.add", Asset(debtor=debtor, **fields))


@transaction.atomic
def record_credit_report(actor, debtor: Debtor, **fields) -> CreditReport:
    return _add(actor, "credit_report.record", CreditReport(debtor=debtor, **fields))


@transaction.atomic
def record_bank_statement(actor, debtor: Debtor, **fields) -> BankStatementSummary:
    return _add(actor, "bank_statement.record", BankStatementSummary(debtor=debtor, **fields))


@transaction.atomic
def add_other_loan(actor, debtor: Debtor, **fields) -> OtherLoan:
    return _add(actor, "other_loan.add", OtherLoan(debtor=debtor, **fields))


REVEALABLE = {(Debtor, "id_number"), (ContactPoint, "value"), (RelatedParty, "phone")}


@transaction.atomic
def reveal(actor, obj, field: str) -> str:
    """Show one masked value in full to a role that needs it, and record that it was seen."""
    if (type(obj), field) not in REVEALABLE:
        raise ValueError(f"{type(obj).__name__}.{field} is not a revealable field")
    if not may(actor, Capability.REVEAL_PII):
        raise PermissionDenied(_("您的角色无权查看完整信息"))
    debtor = obj if isinstance(obj, Debtor) else obj.debtor
    if not restrict(Debtor.objects.filter(pk=debtor.pk), actor).exists():
        raise PermissionDenied(_("该债务人不在您可查看的案件中"))
    audit.record(actor, "pii.reveal", obj, {"field": field})
    return getattr(obj, field)


def affordability(profile: FinancialProfile | None) -> dict | None:
    """Income − household expenses − other debt payments = what is left each month."""
    if profile is None:
        return None
    left = profile.disposable_income
    return {"income": profile.monthly_income, "household": profile.household_expenses,
            "other_debt": profile.other_debt_payments, "left": left, "can_pay": left > Decimal("0")}


#: What stands in for a purged name (the row stays: cases, payments and the audit trail refer to it).
PURGED_NAME = "（已清除）"


@transaction.atomic
def purge_personal_data(actor, debtor: Debtor, *, reason: str, at: dt.datetime | None = None) -> dict:
    """Remove a person's personal data when its retention has ended: the name, the ID number, the birth date and
    gender; every contact point's value; related parties' names, relations and phones; employment, financial
    profiles, assets, credit reports, bank statements and other loans. The rows that other records refer to
    stay, emptied (contact points marked do-not-contact). Returns what was purged, by kind, and records it — the
    counts, never the data — as ``debtor.purge``. A person already purged is left alone (empty counts)."""
    debtor = _locked(debtor)
    if debtor.purged_at is not None:
        return {}
    counts = {"debtor": 1}
    debtor.full_name, debtor.id_type, debtor.id_number = PURGED_NAME, IdType.OTHER, f"PURGED-{debtor.pk}"
    debtor.id_last4, debtor.birth_date, debtor.gender = "", None, ""
    debtor.purged_at = clock.now_or(at)
    debtor.save()
    points = list(debtor.contact_points.all())
    for point in points:
        point.value, point.source_detail, point.status, point.is_primary = "", "", ContactStatus.DO_NOT_CONTACT, False
        point.verified_at, point.value_index = None, ContactPoint._meta.get_field("value_index").compute("")
    if points:
        ContactPoint.objects.bulk_update(points, ["value", "value_index", "source_detail", "status", "is_primary",
                                                  "verified_at"])
    counts["contact_points"] = len(points)
    parties = list(debtor.related_parties.all())
    for party in parties:
        party.full_name, party.relation, party.phone = PURGED_NAME, "", ""
        party.phone_index = RelatedParty._meta.get_field("phone_index").compute("")
    if parties:
        RelatedParty.objects.bulk_update(parties, ["full_name", "relation", "phone", "phone_index"])
    counts["related_parties"] = len(parties)
    for model in (Employment, FinancialProfile, Asset, CreditReport, BankStatementSummary, OtherLoan):
        deleted, _per = model.objects.filter(debtor=debtor).delete()
        counts[model._meta.model_name] = deleted
    audit.record(actor, "debtor.purge", debtor, {"reason": reason[:200], "purged": counts})
    return counts
