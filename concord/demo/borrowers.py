"""One demo borrower and his or her file, as plain rows for the bulk writer, checked as the debtor services check
them (``concord.debtors.identity``: the resident ID's format, checksum, birth date and region; every phone through
``phonenumbers`` and stored in E.164; names and addresses normalised) — a value the services would refuse raises
here, before anything is written.

Shares of the book (roughly, per debtor): related parties with valid phones 60%, employment 70%, financial
profile 50%, assets 20%, credit report 40%, bank statement 25%, other loans 30%; 3% lost contact (失联).
No database access: the rows get their debtor id when they are written (:mod:`concord.demo.writer`).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from concord.core import clock
from concord.debtors import identity
from concord.debtors.models import (AddressType, AssetKind, ContactKind, ContactSource, ContactStatus, IdType,
                                    PartyRole)

from .people import PeopleFactory

LOST_CONTACT_SHARE = 0.03
OTHER_LENDERS = ["招商银行信用卡", "建设银行", "工商银行房贷", "蚂蚁借呗", "微粒贷", "京东金条", "度小满",
                 "平安普惠", "招联金融", "马上消费金融", "360借条", "美团月付", "分期乐", "中银消费金融"]
CAR_MODELS = ["大众朗逸", "丰田卡罗拉", "本田思域", "日产轩逸", "别克英朗", "比亚迪秦", "吉利帝豪", "五菱宏光",
              "哈弗H6", "特斯拉Model 3", "长安CS75", "宝马3系"]
WORST_STATUS = ["M1", "M2", "M3", "M4", "M5", "M6", "M7+", "呆账"]
FAMILY = [("父亲", "M", True), ("母亲", "F", False), ("哥哥", "M", True), ("姐姐", "F", True),
          ("弟弟", "M", True), ("妹妹", "F", True)]
OTHERS = [("朋友", None), ("同事", None), ("同学", None), ("表哥", "M"), ("表姐", "F")]
PHONE_KINDS = (ContactKind.MOBILE, ContactKind.LANDLINE)


def yuan(rng: random.Random, low: int, high: int, step: int = 1) -> Decimal:
    """A whole amount in [low, high] in multiples of ``step`` yuan, as money."""
    return Decimal(rng.randint(low // step, high // step) * step).quantize(Decimal("0.01"))


def fen(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def pct(rng: random.Random, low: int, high: int) -> Decimal:
    """A random share between ``low`` and ``high`` percent, as an exact Decimal."""
    return Decimal(rng.randint(low, high)) / 100


@dataclass(eq=False)
class Borrower:
    """A person and their file. ``debtor`` and each row are field → value dicts; ``pk`` once written."""

    debtor: dict
    has_assets: bool
    lost: bool
    deceased: bool
    contacts: list[dict] = field(default_factory=list)
    parties: list[dict] = field(default_factory=list)
    jobs: list[dict] = field(default_factory=list)
    profiles: list[dict] = field(default_factory=list)
    assets: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)
    other_loans: list[dict] = field(default_factory=list)
    pk: int | None = None
    index: int = 0

    def rows(self) -> dict[str, list[dict]]:
        return {"contacts": self.contacts, "parties": self.parties, "jobs": self.jobs, "profiles": self.profiles,
                "assets": self.assets, "reports": self.reports, "statements": self.statements,
                "other_loans": self.other_loans}

    def phones(self) -> list[dict]:
        """The debtor's own numbers a collector may dial, primary first (``calls._target``: not invalid, wrong
        party or do-not-contact)."""
        usable = [c for c in self.contacts if c["kind"] in PHONE_KINDS and c["status"] in (ContactStatus.VALID,
                                                                                           ContactStatus.UNKNOWN)]
        return sorted(usable, key=lambda c: not c["is_primary"])


class BorrowerFactory:
    def __init__(self, rng: random.Random, people: PeopleFactory, as_of: dt.date):
        self.rng, self.people, self.fake, self.as_of = rng, people, people.fake, as_of
        self.today = clock.today()

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.as_of - dt.timedelta(days=self.rng.randint(low, high))

    def create(self, *, deceased: bool = False) -> Borrower:
        rng, people = self.rng, self.people
        gender = "M" if rng.random() < 0.58 else "F"
        birth = people.birth_date(self.as_of)
        id_number, id_region = people.resident_id(birth, gender)
        surname = people.surname()
        lost = rng.random() < LOST_CONTACT_SHARE
        full_name = identity.normalize_text(surname + people.given_name(gender))
        parsed = identity.parse_resident_id(id_number, today=max(self.today, self.as_of))  # as register_debtor
        if not full_name:
            raise identity.IdentityError("required", "姓名不能为空")
        borrower = Borrower(
            {"full_name": full_name, "id_type": IdType.CN_RIC, "id_number": parsed.number,
             "id_last4": parsed.number[-4:], "birth_date": parsed.birth_date, "gender": parsed.gender,
             "lost_contact": lost, "deceased": deceased}, has_assets=False, lost=lost, deceased=deceased)
        registered = people.registered_region(id_region)
        home = people.home_region(registered)
        employed = rng.random() < (0.4 if lost else 0.72)
        self._contacts(borrower, lost=lost, registered=registered, home=home, employed=employed)
        if rng.random() < 0.6:
            self._related_parties(borrower, surname=surname, gender=gender, married=rng.random() < 0.55)
        if employed:
            borrower.jobs.append({"employer_name": self.fake.company(), "position": self.fake.job()[:100],
                                  "since": self.days_ago(60, 3650), "is_current": True})
        if rng.random() < 0.5:
            self._financial_profile(borrower)
        borrower.has_assets = rng.random() < 0.2
        if borrower.has_assets:
            self._assets(borrower, home)
        if rng.random() < 0.4:
            self._credit_report(borrower)
        if rng.random() < 0.25:
            inflow = yuan(rng, 2000, 40000, 10)
            borrower.statements.append({"as_of": self.days_ago(5, 90), "months": rng.choice((3, 6, 6, 12)),
                                        "avg_monthly_inflow": inflow,
                                        "avg_monthly_outflow": fen(inflow * pct(rng, 75, 125))})
        if rng.random() < 0.3:
            self._other_loans(borrower)
        return borrower

    # --- contact points -----------------------------------------------------------------------------------
    @staticmethod
    def _point(borrower: Borrower, *, kind: str, value: str, status: str = ContactStatus.UNKNOWN,
               address_type: str = "", source: str = ContactSource.CREDITOR, is_primary: bool = False,
               keep_invalid: bool = False) -> None:
        """``debtors.services.add_contact_point``: the value normalised (phones to E.164), or — for a creditor's
        malformed number kept on file — stored as given with status invalid."""
        try:
            normalized = identity.normalize_contact(kind, value)
        except identity.IdentityError as exc:
            if not keep_invalid or exc.code == "required":
                raise
            normalized, status = identity.normalize_text(value), ContactStatus.INVALID
        borrower.contacts.append({"kind": kind, "value": normalized, "address_type": address_type, "source": source,
                                  "status": status, "is_primary": is_primary})

    def _contacts(self, borrower: Borrower, *, lost: bool, registered, home, employed: bool) -> None:
        rng, people, add = self.rng, self.people, self._point
        # The creditor's number: reachable for most; for a lost-contact debtor it is dead (空号/停机).
        if lost:
            status = ContactStatus.INVALID
        else:
            status = ContactStatus.VALID if rng.random() < 0.8 else ContactStatus.UNKNOWN
        add(borrower, kind=ContactKind.MOBILE, value=people.mobile(), status=status, is_primary=True)
        if rng.random() < 0.35:  # a second number, found by repair or given by the debtor
            r = rng.random()
            status = (ContactStatus.INVALID if lost else ContactStatus.WRONG_PARTY if r < 0.12
                      else ContactStatus.VALID if r < 0.5 else ContactStatus.UNKNOWN)
            add(borrower, kind=ContactKind.MOBILE, value=people.mobile(), status=status,
                source=rng.choice((ContactSource.REPAIR, ContactSource.DEBTOR)))
        if rng.random() < 0.04:  # a malformed number as the creditor sent it: kept, marked invalid
            add(borrower, kind=ContactKind.MOBILE, value=people.broken_mobile(), keep_invalid=True)
        if employed and rng.random() < 0.12:
            add(borrower, kind=ContactKind.LANDLINE, value=people.landline(), status=ContactStatus.UNKNOWN,
                address_type=AddressType.WORK)
        if rng.random() < 0.35:
            add(borrower, kind=ContactKind.EMAIL, value=people.email(),
                status=ContactStatus.UNKNOWN if rng.random() < 0.7 else ContactStatus.VALID)
        if rng.random() < 0.4:
            add(borrower, kind=ContactKind.WECHAT, value=people.wechat(),
                status=ContactStatus.UNKNOWN if rng.random() < 0.6 else ContactStatus.VALID)
        add(borrower, kind=ContactKind.ADDRESS, address_type=AddressType.HOME, value=people.address(home),
            status=ContactStatus.INVALID if lost else ContactStatus.UNKNOWN)
        add(borrower, kind=ContactKind.ADDRESS, address_type=AddressType.REGISTERED,
            value=people.address(registered), status=ContactStatus.UNKNOWN)
        if employed and rng.random() < 0.8:
            add(borrower, kind=ContactKind.ADDRESS, address_type=AddressType.WORK,
                value=people.work_address(home), status=ContactStatus.UNKNOWN)

    # --- related parties ----------------------------------------------------------------------------------
    @staticmethod
    def _party(borrower: Borrower, *, role: str, full_name: str, relation: str, phone: str) -> None:
        """``debtors.services.add_related_party``: the phone checked and stored in E.164."""
        borrower.parties.append({"role": role, "full_name": identity.normalize_text(full_name), "relation": relation,
                                 "phone": identity.normalize_mobile(phone) if phone else ""})

    def _related_parties(self, borrower: Borrower, *, surname: str, gender: str, married: bool) -> None:
        rng, people, add = self.rng, self.people, self._party
        if married:
            other = "F" if gender == "M" else "M"
            add(borrower, role=PartyRole.SPOUSE, full_name=people.surname() + people.given_name(other),
                relation="配偶", phone=people.mobile())
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            if rng.random() < 0.6:
                relation, g, same_surname = rng.choice(FAMILY)
                name = (surname if same_surname else people.surname()) + people.given_name(g)
            else:
                relation, g = rng.choice(OTHERS)
                name = people.surname() + people.given_name(g or rng.choice("MF"))
            add(borrower, role=PartyRole.EMERGENCY_CONTACT, full_name=name, relation=relation, phone=people.mobile())
        if rng.random() < 0.08:
            name = people.surname() + people.given_name(rng.choice("MF"))
            add(borrower, role=PartyRole.GUARANTOR, full_name=name, relation=rng.choice(("朋友", "亲属", "同事")),
                phone=people.mobile())

    # --- economic status ----------------------------------------------------------------------------------
    def _financial_profile(self, borrower: Borrower) -> None:
        rng = self.rng
        income = Decimal(min(rng.randint(30, 300), rng.randint(30, 300)) * 100).quantize(Decimal("0.01"))
        household = fen(income * pct(rng, 30, 75))
        other = Decimal("0.00") if rng.random() < 0.25 else fen(income * pct(rng, 5, 70))
        borrower.profiles.append({"monthly_income": income, "household_expenses": household,
                                  "other_debt_payments": other, "dependants": rng.choice((0, 0, 1, 1, 2, 3)),
                                  "as_of": self.days_ago(0, 90),
                                  "source": rng.choice(("debtor", "debtor", "bank_statement", "credit_report"))})

    def _assets(self, borrower: Borrower, home) -> None:
        rng = self.rng
        for _ in range(rng.choice((1, 1, 1, 2))):
            kind = rng.choices([AssetKind.PROPERTY, AssetKind.VEHICLE, AssetKind.DEPOSIT, AssetKind.OTHER],
                               weights=[35, 35, 22, 8])[0]
            if kind == AssetKind.PROPERTY:
                value = yuan(rng, 300_000, 3_000_000, 10_000)
                encumbrance = fen(value * pct(rng, 0, 80)) if rng.random() < 0.7 else Decimal("0.00")
                description = f"{home.prefecture or home.province}{home.county}住宅 {rng.randint(45, 160)}㎡"
            elif kind == AssetKind.VEHICLE:
                value = yuan(rng, 30_000, 300_000, 1000)
                encumbrance = fen(value * pct(rng, 0, 60)) if rng.random() < 0.4 else Decimal("0.00")
                description = f"{rng.choice(CAR_MODELS)}（{self.as_of.year - rng.randint(1, 10)}年购）"
            elif kind == AssetKind.DEPOSIT:
                value, encumbrance = yuan(rng, 2_000, 200_000, 100), Decimal("0.00")
                description = rng.choice(("活期存款", "定期存款", "理财产品"))
            else:
                value, encumbrance = yuan(rng, 5_000, 100_000, 100), Decimal("0.00")
                description = rng.choice(("股票账户", "基金", "公积金账户"))
            borrower.assets.append({"kind": kind, "description": description, "value": value,
                                    "encumbrance": encumbrance, "pledged": rng.random() < 0.03,
                                    "as_of": self.days_ago(0, 365)})

    def _credit_report(self, borrower: Borrower) -> None:
        rng = self.rng
        accounts = rng.randint(2, 30)
        delinquent = rng.randint(1, min(accounts, 6))
        borrower.reports.append({"as_of": self.days_ago(10, 120), "accounts": accounts,
                                 "delinquent_accounts": delinquent, "total_balance": yuan(rng, 5_000, 600_000, 100),
                                 "inquiries_6m": min(rng.randint(0, 20), rng.randint(0, 20)),
                                 "worst_status": rng.choice(WORST_STATUS)})

    def _other_loans(self, borrower: Borrower) -> None:
        rng = self.rng
        for lender in rng.sample(OTHER_LENDERS, rng.choice((1, 1, 2, 3))):
            status = rng.choices(["current", "overdue", "closed"], weights=[50, 35, 15])[0]
            if status == "closed":
                balance = payment = Decimal("0.00")
            else:
                balance = yuan(rng, 200_000, 1_500_000, 1000) if "房贷" in lender else yuan(rng, 1_000, 80_000, 100)
                payment = fen(balance / rng.choice((12, 24, 36, 240 if "房贷" in lender else 36)))
            borrower.other_loans.append({"lender": lender, "balance": balance, "monthly_payment": payment,
                                         "status": status})
