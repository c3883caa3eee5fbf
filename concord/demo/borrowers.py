"""One demo borrower and his or her file, written through the debtor services (actor: system).

Shares of the book (roughly, per debtor): related parties with valid phones 60%, employment 70%, financial
profile 50%, assets 20%, credit report 40%, bank statement 25%, other loans 30%; 3% lost contact (失联).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from concord.debtors import services as debtors
from concord.debtors.models import (AddressType, AssetKind, ContactKind, ContactSource, ContactStatus, Debtor,
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


def yuan(rng: random.Random, low: int, high: int, step: int = 1) -> Decimal:
    """A whole amount in [low, high] in multiples of ``step`` yuan, as money."""
    return Decimal(rng.randint(low // step, high // step) * step).quantize(Decimal("0.01"))


def fen(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def pct(rng: random.Random, low: int, high: int) -> Decimal:
    """A random share between ``low`` and ``high`` percent, as an exact Decimal."""
    return Decimal(rng.randint(low, high)) / 100


@dataclass
class Borrower:
    debtor: Debtor
    has_assets: bool


class BorrowerFactory:
    def __init__(self, rng: random.Random, people: PeopleFactory, as_of: dt.date):
        self.rng, self.people, self.fake, self.as_of = rng, people, people.fake, as_of

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.as_of - dt.timedelta(days=self.rng.randint(low, high))

    def create(self, *, deceased: bool = False) -> Borrower:
        rng, people = self.rng, self.people
        gender = "M" if rng.random() < 0.58 else "F"
        birth = people.birth_date(self.as_of)
        id_number, id_region = people.resident_id(birth, gender)
        surname = people.surname()
        lost = rng.random() < LOST_CONTACT_SHARE
        debtor, _created = debtors.find_or_register_debtor(
            None, full_name=surname + people.given_name(gender), id_number=id_number, lost_contact=lost,
            deceased=deceased)
        registered = people.registered_region(id_region)
        home = people.home_region(registered)
        employed = rng.random() < (0.4 if lost else 0.72)
        self._contacts(debtor, lost=lost, registered=registered, home=home, employed=employed)
        if rng.random() < 0.6:
            self._related_parties(debtor, surname=surname, gender=gender, married=rng.random() < 0.55)
        if employed:
            debtors.set_employment(None, debtor, employer_name=self.fake.company(), position=self.fake.job()[:100],
                                   since=self.days_ago(60, 3650))
        if rng.random() < 0.5:
            self._financial_profile(debtor)
        has_assets = rng.random() < 0.2
        if has_assets:
            self._assets(debtor, home)
        if rng.random() < 0.4:
            self._credit_report(debtor)
        if rng.random() < 0.25:
            inflow = yuan(rng, 2000, 40000, 10)
            debtors.record_bank_statement(None, debtor, as_of=self.days_ago(5, 90), months=rng.choice((3, 6, 6, 12)),
                                          avg_monthly_inflow=inflow,
                                          avg_monthly_outflow=fen(inflow * pct(rng, 75, 125)))
        if rng.random() < 0.3:
            self._other_loans(debtor)
        return Borrower(debtor, has_assets)

    # --- contact points -----------------------------------------------------------------------------------
    def _contacts(self, debtor, *, lost: bool, registered, home, employed: bool) -> None:
        rng, people = self.rng, self.people
        add = debtors.add_contact_point
        # The creditor's number: reachable for most; for a lost-contact debtor it is dead (空号/停机).
        if lost:
            status = ContactStatus.INVALID
        else:
            status = ContactStatus.VALID if rng.random() < 0.8 else ContactStatus.UNKNOWN
        add(None, debtor, kind=ContactKind.MOBILE, value=people.mobile(), status=status, is_primary=True)
        if rng.random() < 0.35:  # a second number, found by repair or given by the debtor
            r = rng.random()
            status = (ContactStatus.INVALID if lost else ContactStatus.WRONG_PARTY if r < 0.12
                      else ContactStatus.VALID if r < 0.5 else ContactStatus.UNKNOWN)
            add(None, debtor, kind=ContactKind.MOBILE, value=people.mobile(), status=status,
                source=rng.choice((ContactSource.REPAIR, ContactSource.DEBTOR)))
        if rng.random() < 0.04:  # a malformed number as the creditor sent it: kept, marked invalid
            add(None, debtor, kind=ContactKind.MOBILE, value=people.broken_mobile(), keep_invalid=True)
        if employed and rng.random() < 0.12:
            add(None, debtor, kind=ContactKind.LANDLINE, value=people.landline(), status=ContactStatus.UNKNOWN,
                address_type=AddressType.WORK)
        if rng.random() < 0.35:
            add(None, debtor, kind=ContactKind.EMAIL, value=people.email(),
                status=ContactStatus.UNKNOWN if rng.random() < 0.7 else ContactStatus.VALID)
        if rng.random() < 0.4:
            add(None, debtor, kind=ContactKind.WECHAT, value=people.wechat(),
                status=ContactStatus.UNKNOWN if rng.random() < 0.6 else ContactStatus.VALID)
        add(None, debtor, kind=ContactKind.ADDRESS, address_type=AddressType.HOME, value=people.address(home),
            status=ContactStatus.INVALID if lost else ContactStatus.UNKNOWN)
        add(None, debtor, kind=ContactKind.ADDRESS, address_type=AddressType.REGISTERED,
            value=people.address(registered), status=ContactStatus.UNKNOWN)
        if employed and rng.random() < 0.8:
            add(None, debtor, kind=ContactKind.ADDRESS, address_type=AddressType.WORK,
                value=people.work_address(home), status=ContactStatus.UNKNOWN)

    # --- related parties ----------------------------------------------------------------------------------
    def _related_parties(self, debtor, *, surname: str, gender: str, married: bool) -> None:
        rng, people = self.rng, self.people
        add = debtors.add_related_party
        if married:
            other = "F" if gender == "M" else "M"
            add(None, debtor, role=PartyRole.SPOUSE, full_name=people.surname() + people.given_name(other),
                relation="配偶", phone=people.mobile())
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            if rng.random() < 0.6:
                relation, g, same_surname = rng.choice(FAMILY)
                name = (surname if same_surname else people.surname()) + people.given_name(g)
            else:
                relation, g = rng.choice(OTHERS)
                name = people.surname() + people.given_name(g or rng.choice("MF"))
            add(None, debtor, role=PartyRole.EMERGENCY_CONTACT, full_name=name, relation=relation,
                phone=people.mobile())
        if rng.random() < 0.08:
            name = people.surname() + people.given_name(rng.choice("MF"))
            add(None, debtor, role=PartyRole.GUARANTOR, full_name=name,
                relation=rng.choice(("朋友", "亲属", "同事")), phone=people.mobile())

    # --- economic status ----------------------------------------------------------------------------------
    def _financial_profile(self, debtor) -> None:
        rng = self.rng
        income = Decimal(min(rng.randint(30, 300), rng.randint(30, 300)) * 100).quantize(Decimal("0.01"))
        household = fen(income * pct(rng, 30, 75))
        other = Decimal("0.00") if rng.random() < 0.25 else fen(income * pct(rng, 5, 70))
        debtors.record_financial_profile(None, debtor, monthly_income=income, household_expenses=household,
                                         other_debt_payments=other, dependants=rng.choice((0, 0, 1, 1, 2, 3)),
                                         as_of=self.days_ago(0, 90),
                                         source=rng.choice(("debtor", "debtor", "bank_statement", "credit_report")))

    def _assets(self, debtor, home) -> None:
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
            debtors.add_asset(None, debtor, kind=kind, description=description, value=value,
                              encumbrance=encumbrance, pledged=rng.random() < 0.03, as_of=self.days_ago(0, 365))

    def _credit_report(self, debtor) -> None:
        rng = self.rng
        accounts = rng.randint(2, 30)
        delinquent = rng.randint(1, min(accounts, 6))
        debtors.record_credit_report(None, debtor, as_of=self.days_ago(10, 120), accounts=accounts,
                                     delinquent_accounts=delinquent, total_balance=yuan(rng, 5_000, 600_000, 100),
                                     inquiries_6m=min(rng.randint(0, 20), rng.randint(0, 20)),
                                     worst_status=rng.choice(WORST_STATUS))

    def _other_loans(self, debtor) -> None:
        rng = self.rng
        for lender in rng.sample(OTHER_LENDERS, rng.choice((1, 1, 2, 3))):
            status = rng.choices(["current", "overdue", "closed"], weights=[50, 35, 15])[0]
            if status == "closed":
                balance = payment = Decimal("0.00")
            else:
                balance = yuan(rng, 200_000, 1_500_000, 1000) if "房贷" in lender else yuan(rng, 1_000, 80_000, 100)
                payment = fen(balance / rng.choice((12, 24, 36, 240 if "房贷" in lender else 36)))
            debtors.add_other_loan(None, debtor, lender=lender, balance=balance, monthly_payment=payment,
                                   status=status)
