"""How to call each public write function of Concord on the test ``world``: the table that
``test_every_writer_is_audited`` runs.

Each entry is a function of a :class:`Ctx` that prepares what the call needs (writes made while preparing are not
measured) and returns the call itself, without arguments. An entry is named by the function's qualified name,
with ``[variant]`` when one function is exercised along several paths.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from django.core.files.uploadedfile import SimpleUploadedFile

from concord.conftest import World, resident_id
from concord.core import clock

Scenario = Callable[["Ctx"], Callable[[], Any]]
SCENARIOS: dict[str, Scenario] = {}

D = Decimal
ADDRESS = "北京市朝阳区建国路88号3单元501室"
EMAIL = "zhangsan@example.cn"


def calls(name: str, variant: str = "") -> Callable[[Scenario], Scenario]:
    key = f"concord.{name}" + (f"[{variant}]" if variant else "")

    def register(fn: Scenario) -> Scenario:
        assert key not in SCENARIOS, key
        SCENARIOS[key] = fn
        return fn
    return register


def function_of(key: str) -> str:
    """``concord.x.y.f[variant]`` → ``concord.x.y.f``."""
    return key.split("[", 1)[0]


@dataclass
class Ctx:
    world: World
    tmp: Path

    def user(self, name: str):
        return self.world.users[name]

    def case(self, name: str = "a"):
        case = self.world.cases[name]
        case.refresh_from_db()
        return case

    def account(self, name: str = "a"):
        return self.case(name).accounts.order_by("id").first()

    def now(self) -> dt.datetime:
        return clock.now()

    def today(self) -> dt.date:
        return clock.today()

    # -- shared preparations --------------------------------------------------------------------------------
    def qualify(self, *names: str) -> None:
        from concord.compliance import services as compliance

        on = self.today() - dt.timedelta(days=30)
        for name in names:
            for kind in ("pre_job_training", "pre_job_exam"):
                compliance.record_qualification(None, user=self.user(name), kind=kind, passed_on=on)

    def profile(self, case: str = "a") -> None:
        from concord.debtors import services as debtors

        debtors.record_financial_profile(None, self.case(case).debtor, monthly_income=D("12000"),
                                         household_expenses=D("5000"), other_debt_payments=D("2500"),
                                         as_of=self.today() - dt.timedelta(days=10))

    def propose(self, *, discount: str = "0", kind: str = "instalment_plan", months: int = 8):
        from concord.arrangements import authority, selectors, services

        self.profile()
        if kind == "settlement":
            authority.set_policy(self.user("manager"), self.world.creditors["bank"], settlement_max_months=12)
        amount = D(discount)
        if discount != "0":  # a share of the balance
            amount = (selectors.case_balance(self.case()).total * D(discount)).quantize(D("0.01"))
        return services.propose(self.user("col_a"), self.case(), kind=kind, months=months, discount_amount=amount,
                                first_due=self.today() + dt.timedelta(days=5), reason="借款人收入稳定，可按月还款")

    def active_arrangement(self):
        from concord.arrangements import services

        arrangement = services.activate(self.user("col_a"), self.propose())
        arrangement.refresh_from_db()
        return arrangement

    def pay(self, amount, reference: str, case: str = "a"):
        from concord.loans import services as loans

        payment, _created = loans.record_payment(self.user("manager"), account=self.account(case), amount=D(amount),
                                                 paid_at=self.now(), channel="bank_transfer",
                                                 external_reference=reference)
        return payment

    def address(self, case: str = "a"):
        from concord.debtors import services as debtors

        return debtors.add_contact_point(None, self.case(case).debtor, kind="address", value=ADDRESS,
                                         address_type="home", status="valid")

    def decision(self, channel: str = "call", user: str = "col_a"):
        from concord.compliance import services as compliance

        self.qualify(user)
        point = self.case().debtor.contact_points.get(kind="mobile")
        return compliance.decide_contact(self.user(user), case=self.case(), channel=channel, number=point.value)

    def complaint(self):
        from concord.compliance import services as compliance

        case = self.case()
        return compliance.open_complaint(self.user("compliance"), debtor=case.debtor, creditor=case.creditor,
                                         source="phone", category="conduct", summary="来电投诉催收频率过高")

    def placement_with_case(self):
        from concord.cases import services as cases
        from concord.creditors import services as creditors

        bank = self.world.creditors["bank"]
        placement = creditors.create_placement(None, bank, reference="P-2026-12", placed_on=self.today(),
                                               return_on=self.today() + dt.timedelta(days=90))
        cases.place_single_account(None, creditor=bank, product=bank.products.get(kind="online_loan"),
                                   full_name="赵六", id_type="cn_ric", id_number=resident_id("320102", "19920315", 444),
                                   mobile="13500003333", placement=placement, account=loan_terms("LOAN-P1"))
        return placement

    def legal_case(self):
        from concord.legal import services as legal

        return legal.enter_legal(self.user("legal"), self.case(), law_firm="某律师事务所")

    def visit(self, *, scheduled: bool = False):
        from concord.visits import services as visits

        self.qualify("lead_a", "col_a", "field")
        now = self.now()
        visit = visits.request_visit(self.user("col_a"), self.case(), address=self.address(), purpose="negotiate",
                                     note="电话多次未接通，申请上门协商", at=now - dt.timedelta(days=6))
        if scheduled:
            visit = visits.schedule_visit(self.user("lead_a"), visit, agents=[self.user("col_a"), self.user("field")],
                                          scheduled_at=now - dt.timedelta(days=5) + dt.timedelta(hours=1),
                                          at=now - dt.timedelta(days=5, minutes=30))
        return visit

    def file(self, name: str, headers: list[str], rows: list[dict]) -> Path:
        from concord.imports.tests.kindfiles import csv_file

        return csv_file(self.tmp / name, headers, rows)


def loan_terms(reference: str) -> dict:
    return {"reference": reference, "contract_amount": D("6000"), "annual_rate": D("0.15"), "method": "equal_principal",
            "term_months": 6, "start_date": dt.date(2026, 5, 1)}


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test document", content_type="application/pdf")


# == arrangements ================================================================================================
@calls("arrangements.services.propose")
def _(c):
    from concord.arrangements import services

    c.profile()
    return lambda: services.propose(c.user("col_a"), c.case(), kind="instalment_plan", months=8,
                                    first_due=c.today() + dt.timedelta(days=5), reason="借款人收入稳定，可按月还款")


@calls("arrangements.services.approve")
def _(c):
    from concord.arrangements import services

    proposed = c.propose(discount="0.05", kind="settlement", months=12)
    return lambda: services.approve(c.user("lead_a"), proposed, reason="减免在权限内，同意")


@calls("arrangements.services.reject")
def _(c):
    from concord.arrangements import services

    proposed = c.propose(discount="0.05", kind="settlement", months=12)
    return lambda: services.reject(c.user("lead_a"), proposed, reason="收入证明不足")


@calls("arrangements.services.record_creditor_decision")
def _(c):
    from concord.arrangements import services

    waiting = c.propose(discount="0.40", kind="settlement", months=12)
    return lambda: services.record_creditor_decision(c.user("manager"), waiting, approved=True,
                                                     reference="BANK-2026-118", reason="银行书面同意减免")


@calls("arrangements.services.activate")
def _(c):
    from concord.arrangements import services

    approved = c.propose()
    c.pay("300", "PAID-BEFORE-START")
    return lambda: services.activate(c.user("col_a"), approved)


@calls("arrangements.services.request_hardship_review")
def _(c):
    from concord.arrangements import services

    return lambda: services.request_hardship_review(c.user("col_a"), c.case(), reason="失业，无收入来源")


def _stale(c):
    """An active arrangement whose instalments do not show a payment yet."""
    from concord.arrangements.models import ArrangementInstalment, Arrangement

    arrangement = c.active_arrangement()
    payment = c.pay(str(arrangement.instalments.get(number=1).amount), "P-1")
    ArrangementInstalment.objects.filter(arrangement=arrangement).update(paid_amount=0, paid_on=None)
    Arrangement.objects.filter(pk=arrangement.pk).update(paid_total=0)
    arrangement.refresh_from_db()
    return arrangement, payment


@calls("arrangements.tracking.refresh_payments")
def _(c):
    from concord.arrangements import tracking

    arrangement, _payment = _stale(c)
    return lambda: tracking.refresh_payments(c.user("manager"), arrangement)


@calls("arrangements.tracking.follow_payment")
def _(c):
    from concord.arrangements import tracking

    arrangement, payment = _stale(c)
    return lambda: tracking.follow_payment(c.user("manager"), payment.account, payment, reversed=False)


@calls("arrangements.tracking.check_arrangements", "payments")
def _(c):
    from concord.arrangements import tracking

    _stale(c)
    return lambda: tracking.check_arrangements(c.today())


@calls("arrangements.tracking.check_arrangements", "broken")
def _(c):
    from concord.arrangements import tracking

    arrangement = c.active_arrangement()
    return lambda: tracking.check_arrangements(arrangement.first_due + dt.timedelta(days=40))


@calls("arrangements.authority.set_approval_limit")
def _(c):
    from concord.arrangements import authority

    return lambda: authority.set_approval_limit(c.user("manager"), c.world.creditors["bank"], role="collector",
                                                max_discount_rate="0.05")


@calls("arrangements.authority.set_policy")
def _(c):
    from concord.arrangements import authority

    return lambda: authority.set_policy(c.user("manager"), c.world.creditors["bank"], settlement_max_months=12)


# == cases =======================================================================================================
@calls("cases.services.open_case")
def _(c):
    from concord.cases import services

    return lambda: services.open_case(c.user("manager"), creditor=c.world.creditors["fin"], debtor=c.case("a").debtor)


@calls("cases.services.assign_case")
def _(c):
    from concord.cases import services

    return lambda: services.assign_case(c.user("lead_a"), c.case("u"), collector=c.user("col_a"), reason="分案")


@calls("cases.services.set_case_status")
def _(c):
    from concord.cases import services

    return lambda: services.set_case_status(c.user("manager"), c.case("u"), "on_hold", reason="核实中")


@calls("cases.services.place_single_account")
def _(c):
    from concord.cases import services

    bank = c.world.creditors["bank"]
    return lambda: services.place_single_account(
        c.user("manager"), creditor=bank, product=bank.products.get(kind="online_loan"), full_name="赵六",
        id_type="cn_ric", id_number=resident_id("320102", "19920315", 444), mobile="+86 135 0000 3333",
        account=loan_terms("NEW-001"))


@calls("cases.services.recall_placement")
def _(c):
    from concord.cases import services

    placement = c.placement_with_case()
    return lambda: services.recall_placement(c.user("manager"), placement, reason="委托方撤案")


@calls("cases.services.recall_accounts")
def _(c):
    from concord.cases import services

    return lambda: services.recall_accounts(c.user("manager"), [c.account("u")], reason="委托方退案")


@calls("cases.activities.log_activity")
def _(c):
    from concord.cases import activities

    return lambda: activities.log_activity(c.user("col_a"), c.case(), kind="note", summary="备注",
                                           note="借款人称下周还款")


@calls("cases.activities.purge_notes")
def _(c):
    from concord.cases import activities

    activities.log_activity(c.user("col_a"), c.case(), kind="note", summary="备注", note="借款人称下周还款")
    return lambda: activities.purge_notes(None, [c.case().pk], reason="retention")


# == compliance ==================================================================================================
@calls("compliance.services.decide_contact")
def _(c):
    from concord.compliance import services

    c.qualify("col_a")
    point = c.case().debtor.contact_points.get(kind="mobile")
    return lambda: services.decide_contact(c.user("col_a"), case=c.case(), channel="call", number=point.value)


@calls("compliance.services.record_contact_outcome")
def _(c):
    from concord.compliance import services

    decision = c.decision()
    return lambda: services.record_contact_outcome(c.user("col_a"), decision, outcome="no_answer")


@calls("compliance.services.record_inbound_contact")
def _(c):
    from concord.compliance import services

    return lambda: services.record_inbound_contact(c.user("col_a"), debtor=c.case().debtor, channel="call",
                                                   case=c.case(), number="13812348000")


@calls("compliance.services.grant_consent")
def _(c):
    from concord.compliance import services

    return lambda: services.grant_consent(c.user("col_a"), debtor=c.case().debtor, scope="hours",
                                          note="同意晚上联系")


@calls("compliance.services.record_cease")
def _(c):
    from concord.compliance import services

    return lambda: services.record_cease(c.user("col_a"), debtor=c.case().debtor, channel="sms", note="要求停止短信")


@calls("compliance.services.add_inconvenient_time")
def _(c):
    from concord.compliance import services

    return lambda: services.add_inconvenient_time(c.user("col_a"), debtor=c.case().debtor, start=dt.time(12),
                                                  end=dt.time(14))


@calls("compliance.services.record_attorney")
def _(c):
    from concord.compliance import services

    return lambda: services.record_attorney(c.user("legal"), debtor=c.case().debtor, attorney_name="王律师",
                                            firm="某律师事务所")


@calls("compliance.services.end_state")
def _(c):
    from concord.compliance import services

    consent = services.grant_consent(None, debtor=c.case().debtor, scope="hours",
                                     valid_from=c.now() - dt.timedelta(days=2))
    return lambda: services.end_state(c.user("compliance"), consent, note="撤回同意")


@calls("compliance.services.place_hold")
def _(c):
    from concord.compliance import services

    case = c.case()
    return lambda: services.place_hold(c.user("compliance"), debtor=case.debtor, creditor=case.creditor, kind="other",
                                       reason="核实身份")


@calls("compliance.services.release_hold")
def _(c):
    from concord.compliance import services

    case = c.case()
    hold = services.place_hold(None, debtor=case.debtor, kind="other", reason="核实身份",
                               at=c.now() - dt.timedelta(hours=1))
    return lambda: services.release_hold(c.user("compliance"), hold, reason="已核实")


@calls("compliance.services.set_overrides")
def _(c):
    from concord.compliance import services

    return lambda: services.set_overrides(c.user("compliance"), c.world.creditors["bank"], {})


@calls("compliance.services.set_complaint_deadlines")
def _(c):
    from concord.compliance import services

    return lambda: services.set_complaint_deadlines(c.user("compliance"), c.world.creditors["bank"],
                                                    complaint_days=10, dispute_days=20)


@calls("compliance.services.record_qualification")
def _(c):
    from concord.compliance import services

    return lambda: services.record_qualification(c.user("manager"), user=c.user("col_b"), kind="pre_job_exam",
                                                 passed_on=c.today() - dt.timedelta(days=3))


@calls("compliance.services.open_complaint")
def _(c):
    return c.complaint


@calls("compliance.services.assign_complaint")
def _(c):
    from concord.compliance import services

    complaint = c.complaint()
    return lambda: services.assign_complaint(c.user("manager"), complaint, c.user("compliance"))


@calls("compliance.services.escalate_complaint")
def _(c):
    from concord.compliance import services

    complaint = c.complaint()
    return lambda: services.escalate_complaint(c.user("compliance"), complaint, reason="情节严重")


@calls("compliance.services.resolve_complaint")
def _(c):
    from concord.compliance import services

    complaint = c.complaint()
    return lambda: services.resolve_complaint(c.user("compliance"), complaint, resolution="not_upheld",
                                              reply="经核实，催收行为符合规定")


@calls("compliance.services.escalate_due_complaints")
def _(c):
    from concord.compliance import services

    c.complaint()
    return lambda: services.escalate_due_complaints(c.now() + dt.timedelta(days=30))


# == creditors ===================================================================================================
@calls("creditors.services.add_creditor")
def _(c):
    from concord.creditors import services

    return lambda: services.add_creditor(c.user("admin"), code="cfc", name="示例消费金融", kind="consumer_finance",
                                         policy_pack="cn_online_lending")


@calls("creditors.services.add_product")
def _(c):
    from concord.creditors import services

    return lambda: services.add_product(c.user("admin"), c.world.creditors["fin"], kind="online_loan", code="loan2",
                                        name="网贷二号")


@calls("creditors.services.update_product")
def _(c):
    from concord.creditors import services

    product = c.world.creditors["bank"].products.get(kind="online_loan")
    return lambda: services.update_product(c.user("admin"), product, grace_days=5)


@calls("creditors.services.create_placement")
def _(c):
    from concord.creditors import services

    return lambda: services.create_placement(c.user("manager"), c.world.creditors["bank"], reference="P-1",
                                             placed_on=c.today(), return_on=c.today() + dt.timedelta(days=90))


@calls("creditors.services.close_placement")
def _(c):
    from concord.creditors import services

    placement = services.create_placement(None, c.world.creditors["bank"], reference="P-1", placed_on=c.today(),
                                          return_on=c.today() + dt.timedelta(days=90))
    return lambda: services.close_placement(c.user("manager"), placement, reason="撤案", cases=0)


# == debtors =====================================================================================================
@calls("creditors.services.set_contact_sharing")
def _(c):
    from concord.creditors import services

    return lambda: services.set_contact_sharing(c.user("admin"), c.world.creditors["bank"], allow=True)


@calls("debtors.services.register_debtor")
def _(c):
    from concord.debtors import services

    return lambda: services.register_debtor(c.user("manager"), full_name="赵六",
                                            id_number=resident_id("320102", "19920315", 444))


@calls("debtors.services.find_or_register_debtor")
def _(c):
    from concord.debtors import services

    return lambda: services.find_or_register_debtor(c.user("manager"), full_name="赵六",
                                                    id_number=resident_id("320102", "19920315", 444))


@calls("debtors.services.update_debtor")
def _(c):
    from concord.debtors import services

    return lambda: services.update_debtor(c.user("manager"), c.case().debtor, full_name="张三丰", lost_contact=True)


for _kind, _value, _extra in (("mobile", "13600001234", {}), ("email", EMAIL, {}),
                              ("address", ADDRESS, {"address_type": "home"}), ("wechat", "zhang_san_88", {})):
    def _contact(c, kind=_kind, value=_value, extra=_extra):
        from concord.debtors import services

        return lambda: services.add_contact_point(c.user("col_a"), c.case().debtor, kind=kind, value=value, **extra)

    calls("debtors.services.add_contact_point", _kind)(_contact)


@calls("debtors.services.purge_personal_data")
def _(c):
    from concord.debtors import services

    services.add_related_party(c.user("col_a"), c.case().debtor, role="spouse", full_name="李梅", phone="13911112222")
    services.set_employment(c.user("col_a"), c.case().debtor, employer_name="某科技有限公司")
    return lambda: services.purge_personal_data(None, c.case().debtor, reason="retention")


@calls("debtors.services.set_contact_status")
def _(c):
    from concord.debtors import services

    point = c.case().debtor.contact_points.get(kind="mobile")
    return lambda: services.set_contact_status(c.user("col_a"), point, "wrong_party")


@calls("debtors.services.add_related_party")
def _(c):
    from concord.debtors import services

    return lambda: services.add_related_party(c.user("col_a"), c.case().debtor, role="spouse", full_name="李梅",
                                              relation="妻子", phone="13911112222")


@calls("debtors.services.set_employment")
def _(c):
    from concord.debtors import services

    return lambda: services.set_employment(c.user("col_a"), c.case().debtor, employer_name="某科技有限公司",
                                           position="工程师")


@calls("debtors.services.record_financial_profile")
def _(c):
    from concord.debtors import services

    return lambda: services.record_financial_profile(c.user("col_a"), c.case().debtor, monthly_income=D("8000"),
                                                     household_expenses=D("3000"), as_of=c.today())


@calls("debtors.services.add_asset")
def _(c):
    from concord.debtors import services

    return lambda: services.add_asset(c.user("col_a"), c.case().debtor, kind="vehicle", description="轿车",
                                      value=D("80000"))


@calls("debtors.services.record_credit_report")
def _(c):
    from concord.debtors import services

    return lambda: services.record_credit_report(c.user("col_a"), c.case().debtor, as_of=c.today(), accounts=5,
                                                 delinquent_accounts=2)


@calls("debtors.services.record_bank_statement")
def _(c):
    from concord.debtors import services

    return lambda: services.record_bank_statement(c.user("col_a"), c.case().debtor, as_of=c.today(),
                                                  avg_monthly_inflow=D("9000"), avg_monthly_outflow=D("8500"))


@calls("debtors.services.add_other_loan")
def _(c):
    from concord.debtors import services

    return lambda: services.add_other_loan(c.user("col_a"), c.case().debtor, lender="某银行", balance=D("20000"),
                                           monthly_payment=D("1500"))


@calls("debtors.services.reveal")
def _(c):
    from concord.debtors import services

    return lambda: services.reveal(c.user("manager"), c.case().debtor, "id_number")


# == end of day ==================================================================================================
@calls("eod.adapter.run_eod")
def _(c):
    from concord.eod import adapter

    return lambda: adapter.run_eod(dt.date(2026, 11, 28), actor=c.user("admin"))


# == imports =====================================================================================================
PLACEMENT_HEADERS = ["姓名", "身份证号", "手机号", "借据号", "产品", "合同金额", "年利率", "期数", "还款方式", "放款日期",
                     "应还日期", "逾期天数", "紧急联系人", "紧急联系人关系", "紧急联系人电话", "家庭地址", "工作单位"]
PAYMENT_HEADERS = ["借据号", "还款金额", "还款日期", "交易流水号", "还款渠道", "交易类型", "原交易流水号", "姓名", "冲正原因"]
CONTACT_HEADERS = ["身份证号", "借据号", "姓名", "联系方式类型", "联系方式", "地址类型", "关系", "联系人姓名"]


def _placement_rows():
    known = {"姓名": "张三", "身份证号": resident_id(seq=111), "手机号": "13812348001", "借据号": "CARD-0001",
             "产品": "信用卡", "合同金额": "20000", "逾期天数": "95", "家庭地址": ADDRESS, "工作单位": "某科技有限公司",
             "紧急联系人": "李梅", "紧急联系人关系": "妻子", "紧急联系人电话": "13911112222"}
    new = {"姓名": "赵六", "身份证号": resident_id("320102", "19920315", 444), "手机号": "13500003333",
           "借据号": "IMP-0001", "产品": "网贷", "合同金额": "6000", "年利率": "15%", "期数": "6", "还款方式": "等额本息",
           "放款日期": "2026-05-01", "逾期天数": "40"}
    return [known, new]


def _import(c, kind, path, **options):
    from concord.imports import services

    return lambda: services.import_file(c.user("manager"), creditor=c.world.creditors["bank"], kind=kind, path=path,
                                        **options)


@calls("imports.services.import_file", "placements")
def _(c):
    return _import(c, "placements", c.file("placing.csv", PLACEMENT_HEADERS, _placement_rows()))


@calls("imports.services.import_file", "placements dry run")
def _(c):
    return _import(c, "placements", c.file("placing.csv", PLACEMENT_HEADERS, _placement_rows()), dry_run=True)


@calls("imports.services.import_file", "repeat")
def _(c):
    from concord.imports import services

    path = c.file("placing.csv", PLACEMENT_HEADERS, _placement_rows())
    services.import_file(None, creditor=c.world.creditors["bank"], kind="placements", path=path)
    return _import(c, "placements", path)


@calls("imports.services.delete_batch_files")
def _(c):
    from concord.imports import services

    batch = services.import_file(None, creditor=c.world.creditors["bank"], kind="placements",
                                 path=c.file("placing.csv", PLACEMENT_HEADERS, _placement_rows()))
    return lambda: services.delete_batch_files(None, batch, reason="retention")


@calls("retention.services.run_retention")
def _(c):
    from concord.imports import services

    services.import_file(None, creditor=c.world.creditors["bank"], kind="placements",
                         path=c.file("placing.csv", PLACEMENT_HEADERS, _placement_rows()))
    account = c.account("u")
    c.pay(str(account.total_balance), "SETTLE-U", case="u")
    from concord.retention.services import run_retention

    return lambda: run_retention(now=c.now() + dt.timedelta(days=3650))


@calls("imports.services.import_file", "rejected file")
def _(c):
    path = c.tmp / "empty.csv"
    path.write_bytes(b"")
    return _import(c, "placements", path)


@calls("imports.services.import_file", "payments")
def _(c):
    paid = c.pay("100", "PAY-OLD", case="u")
    rows = [{"借据号": "LOAN-0003", "还款金额": "500", "还款日期": str(c.today()), "交易流水号": "PAY-1"},
            {"借据号": "NOPE-9", "还款金额": "200", "还款日期": str(c.today()), "交易流水号": "PAY-2"},
            {"借据号": "LOAN-0003", "还款金额": "100", "还款日期": str(c.today()), "交易流水号": "PAY-OLD",
             "交易类型": "冲正"}]
    assert paid.amount == 100
    return _import(c, "payments", c.file("pay.csv", PAYMENT_HEADERS, rows))


@calls("imports.services.import_file", "recalls")
def _(c):
    return _import(c, "recalls", c.file("recall.csv", ["借据号", "退案日期", "退案原因"],
                                        [{"借据号": "LOAN-0003", "退案原因": "委托方收回"}]))


@calls("imports.services.import_file", "contacts")
def _(c):
    debtor_id = resident_id(seq=111)
    rows = [{"身份证号": debtor_id, "联系方式": "13612345678"},
            {"身份证号": debtor_id, "联系方式类型": "邮箱", "联系方式": EMAIL},
            {"身份证号": debtor_id, "联系方式类型": "地址", "联系方式": ADDRESS, "地址类型": "家庭"},
            {"身份证号": debtor_id, "联系方式": "13812348000"},
            {"借据号": "CARD-0001", "联系方式": "13911112222", "关系": "妻子", "联系人姓名": "李梅"}]
    return _import(c, "contacts", c.file("contacts.csv", CONTACT_HEADERS, rows))


@calls("imports.services.save_profile")
def _(c):
    from concord.imports import services

    return lambda: services.save_profile(c.user("manager"), c.world.creditors["bank"], name="银行模板",
                                         columns={"客户姓名": "full_name"})


@calls("imports.services.start_batch")
def _(c):
    from concord.imports import services

    path = c.file("placing.csv", PLACEMENT_HEADERS, _placement_rows())
    return lambda: services.start_batch(c.user("manager"), creditor=c.world.creditors["bank"], kind="placements",
                                        path=path)


def _queued(c):
    from concord.imports import services

    path = c.file("placing.csv", PLACEMENT_HEADERS, _placement_rows())
    return services.start_batch(c.user("manager"), creditor=c.world.creditors["bank"], kind="placements", path=path)


@calls("imports.services.run_batch")
def _(c):
    from concord.imports import services

    batch = _queued(c)
    return lambda: services.run_batch(c.user("manager"), batch)


@calls("imports.services.run_in_background")
def _(c):
    from django.conf import settings

    from concord.imports import services

    assert settings.CONCORD_IMPORTS_INLINE
    batch = _queued(c)
    return lambda: services.run_in_background(c.user("manager"), batch)


def _waiting(c):
    from concord.imports import services
    from concord.imports.models import UnmatchedPayment

    rows = [{"借据号": "NOPE-9", "还款金额": "200", "还款日期": str(c.today()), "交易流水号": "PAY-2"}]
    services.import_file(None, creditor=c.world.creditors["bank"], kind="payments",
                         path=c.file("pay.csv", PAYMENT_HEADERS, rows))
    return UnmatchedPayment.objects.get()


@calls("imports.payments.match_unmatched_payment")
def _(c):
    from concord.imports import payments

    waiting = _waiting(c)
    return lambda: payments.match_unmatched_payment(c.user("manager"), waiting, c.account("u"), note="客户来电确认")


@calls("imports.payments.dismiss_unmatched_payment")
def _(c):
    from concord.imports import payments

    waiting = _waiting(c)
    return lambda: payments.dismiss_unmatched_payment(c.user("manager"), waiting, note="不是本机构的还款")


# == legal =======================================================================================================
@calls("legal.services.record_acknowledgement")
def _(c):
    from concord.legal import services

    return lambda: services.record_acknowledgement(c.user("legal"), c.case(), kind="written",
                                                   acknowledged_on=c.today(), evidence="确认函编号 ACK-1")


@calls("legal.services.enter_legal")
def _(c):
    return c.legal_case


@calls("legal.services.start_stage")
def _(c):
    from concord.legal import services

    legal = c.legal_case()
    return lambda: services.start_stage(c.user("legal"), legal, stage="demand_letter", started_on=c.today(),
                                        reference="LF-1")


@calls("legal.services.complete_stage")
def _(c):
    from concord.legal import services

    legal = c.legal_case()
    stage = services.start_stage(c.user("legal"), legal, stage="demand_letter", started_on=c.today())
    return lambda: services.complete_stage(c.user("legal"), stage, ended_on=c.today(), result="已送达")


@calls("legal.services.add_cost")
def _(c):
    from concord.legal import services

    legal = c.legal_case()
    return lambda: services.add_cost(c.user("legal"), legal, kind="lawyer_fee", amount="3000",
                                     incurred_on=c.today())


@calls("legal.services.upload_document")
def _(c):
    from concord.legal import services

    legal = c.legal_case()
    return lambda: services.upload_document(c.user("legal"), legal, upload=pdf("律师函.pdf"), title="律师函")


@calls("legal.services.open_document")
def _(c):
    from concord.legal import services

    doc = services.upload_document(c.user("legal"), c.legal_case(), upload=pdf(), title="律师函")
    return lambda: services.open_document(c.user("legal"), doc)


@calls("legal.services.close_legal")
def _(c):
    from concord.legal import services

    legal = c.legal_case()
    return lambda: services.close_legal(c.user("legal"), legal, reason="settled", note="和解")


# == loans =======================================================================================================
@calls("loans.services.open_account")
def _(c):
    from concord.loans import services

    case = c.case("u")
    return lambda: services.open_account(c.user("manager"), case=case, product=case.creditor.products.get(
        kind="online_loan"), as_of=c.today(), **loan_terms("LOAN-NEW"))


@calls("loans.services.accrue_charges")
def _(c):
    from concord.loans import services

    return lambda: services.accrue_charges(c.user("manager"), c.account("u"), c.today())


@calls("loans.services.record_payment")
def _(c):
    # a pending promise and an active arrangement on the case: the ledger's followers write in the same transaction
    from concord.loans import services
    from concord.workbench.promises import record_promise

    c.active_arrangement()
    record_promise(c.user("col_a"), c.case(), amount=D("500"), due_date=c.today() + dt.timedelta(days=3))
    return lambda: services.record_payment(c.user("manager"), account=c.account(), amount=D("300"),
                                           paid_at=c.now(), channel="bank_transfer", external_reference="PAY-1")


@calls("loans.services.reverse_payment")
def _(c):
    from concord.loans import services
    from concord.workbench.promises import record_promise

    c.active_arrangement()
    record_promise(c.user("col_a"), c.case(), amount=D("500"), due_date=c.today() + dt.timedelta(days=3))
    payment = c.pay("300", "PAY-1")
    return lambda: services.reverse_payment(c.user("manager"), payment, reason="银行退票")


# == outreach ====================================================================================================
def _book(c):
    from django.conf import settings

    from concord.debtors import services as debtors
    from concord.outreach import services

    settings.CONCORD_OUTBOX_DIR = str(c.tmp / "outbox")
    settings.CONCORD_SMS_ADAPTER = "sink"
    c.qualify("col_a")
    services.save_sender_profile(c.user("manager"), c.world.creditors["bank"], phone="95555",
                                 address="上海市浦东新区陆家嘴环路 1 号", email="service@bank.example.cn",
                                 payment_url="https://pay.example.cn/c/{case_reference}")
    debtor = c.case().debtor
    debtors.add_contact_point(None, debtor, kind="email", value=EMAIL, status="valid")
    c.address()


@calls("outreach.services.save_template")
def _(c):
    from concord.outreach import services

    return lambda: services.save_template(c.user("compliance"), code="reminder2", channel="sms", language="zh-hans",
                                          name="提醒二", body="【{creditor_name}】您好，请尽快还款。")


@calls("outreach.services.approve_template")
def _(c):
    from concord.outreach import services

    draft = services.save_template(c.user("compliance"), code="reminder2", channel="sms", language="zh-hans",
                                   name="提醒二", body="【{creditor_name}】您好，请尽快还款。")
    return lambda: services.approve_template(c.user("manager"), draft)


@calls("outreach.services.retire_template")
def _(c):
    from concord.outreach import services
    from concord.outreach.models import MessageTemplate

    template = MessageTemplate.objects.get(code="payment_link", language="zh-hans")
    return lambda: services.retire_template(c.user("manager"), template)


for _channel, _code in (("sms", "reminder"), ("email", "reminder"), ("letter", "demand_letter")):
    def _send(c, channel=_channel, code=_code):
        from concord.outreach import services

        _book(c)
        return lambda: services.send_message(c.user("col_a"), c.case(), channel=channel, template_code=code)

    calls("outreach.services.send_message", _channel)(_send)


@calls("outreach.services.purge_messages")
def _(c):
    from concord.outreach import services

    _book(c)
    services.send_message(c.user("col_a"), c.case(), channel="sms", template_code="reminder")
    return lambda: services.purge_messages(None, [c.case().pk], reason="retention")


@calls("outreach.services.record_receipt")
def _(c):
    from concord.outreach import services

    _book(c)  # an e-mail is "sent" when the server accepts it; the receipt says it was delivered
    sent = services.send_message(c.user("col_a"), c.case(), channel="email", template_code="reminder").message
    assert sent.status == "sent"
    return lambda: services.record_receipt(provider_id=sent.provider_id, status="delivered")


@calls("outreach.services.record_inbound", "opt-out")
def _(c):
    from concord.outreach import services

    _book(c)
    return lambda: services.record_inbound(channel="sms", sender="13812348000", text="退订")


@calls("outreach.services.record_inbound", "reply")
def _(c):
    from concord.outreach import services

    _book(c)
    return lambda: services.record_inbound(channel="email", sender=EMAIL, text="我下周还款")


@calls("outreach.services.bulk_letters")
def _(c):
    from concord.outreach import services

    _book(c)
    return lambda: services.bulk_letters(c.user("col_a"), [c.case(), c.case("u")], template_code="demand_letter")


@calls("outreach.services.save_sender_profile")
def _(c):
    from concord.outreach import services

    return lambda: services.save_sender_profile(c.user("manager"), c.world.creditors["fin"], phone="95566",
                                                email="service@fin.example.cn")


# == visits ======================================================================================================
@calls("visits.services.request_visit")
def _(c):
    from concord.visits import services

    address = c.address()
    return lambda: services.request_visit(c.user("col_a"), c.case(), address=address, purpose="negotiate",
                                          note="电话多次未接通，申请上门协商")


@calls("visits.services.schedule_visit")
def _(c):
    from concord.visits import services

    visit = c.visit()
    return lambda: services.schedule_visit(c.user("lead_a"), visit, agents=[c.user("col_a"), c.user("field")],
                                           scheduled_at=c.now() + dt.timedelta(days=1))


@calls("visits.services.report_visit")
def _(c):
    from concord.visits import services

    visit = c.visit(scheduled=True)
    return lambda: services.report_visit(c.user("field"), visit, outcome="conversation", note="见到本人，称月底还款",
                                         files=[pdf("sheet.pdf")], visited_at=visit.scheduled_at)


@calls("visits.services.cancel_visit")
def _(c):
    from concord.visits import services

    visit = c.visit()
    return lambda: services.cancel_visit(c.user("col_a"), visit, reason="债务人已来电协商")


@calls("visits.services.reveal_address")
def _(c):
    from concord.visits import services

    visit = c.visit(scheduled=True)
    return lambda: services.reveal_address(c.user("field"), visit)


@calls("visits.services.open_file")
def _(c):
    from concord.visits import services

    visit = c.visit(scheduled=True)
    visit = services.report_visit(c.user("field"), visit, outcome="failed", note="无人应门", files=[pdf()],
                                  visited_at=visit.scheduled_at)
    return lambda: services.open_file(c.user("lead_a"), visit.files.get())


# == workbench ===================================================================================================
@calls("workbench.calls.start_call")
def _(c):
    from concord.workbench import calls as work_calls

    c.qualify("col_a")
    point = c.case().debtor.contact_points.get(kind="mobile")
    return lambda: work_calls.start_call(c.user("col_a"), c.case(), contact_point=point)


def _started(c):
    from concord.workbench import calls as work_calls

    c.qualify("col_a")
    point = c.case().debtor.contact_points.get(kind="mobile")
    return work_calls.start_call(c.user("col_a"), c.case(), contact_point=point)


@calls("workbench.calls.log_call", "everything")
def _(c):
    from django.conf import settings

    from concord.workbench import calls as work_calls

    settings.DATA_DIR = c.tmp
    decision = _started(c)
    recording = SimpleUploadedFile("call.mp3", b"ID3 fake audio", content_type="audio/mpeg")
    return lambda: work_calls.log_call(
        c.user("col_a"), c.case(), decision, outcome="conversation",
        result_codes=["promise", "callback", "dispute", "already_paid"], duration_seconds=120, note="称已还款，有异议",
        recording=recording, promise_amount=D("300"), promise_date=c.today() + dt.timedelta(days=3),
        callback_at=c.now() + dt.timedelta(days=1), dispute_summary="称已于上月还清")


@calls("workbench.calls.log_call", "wrong number")
def _(c):
    from concord.workbench import calls as work_calls

    decision = _started(c)
    return lambda: work_calls.log_call(c.user("col_a"), c.case(), decision, outcome="wrong_number")


@calls("workbench.calls.open_recording")
def _(c):
    from django.conf import settings

    from concord.workbench import calls as work_calls

    settings.DATA_DIR = c.tmp
    decision = _started(c)
    recording = SimpleUploadedFile("call.mp3", b"ID3 fake audio", content_type="audio/mpeg")
    activity = work_calls.log_call(c.user("col_a"), c.case(), decision, outcome="no_answer", recording=recording)
    return lambda: work_calls.open_recording(c.user("lead_a"), activity.recording)


@calls("workbench.claims.claim_case")
def _(c):
    from concord.workbench import claims

    claims.claim_case(c.user("col_a"), c.case("u"))  # the claim on another case ends when col_a claims this one
    return lambda: claims.claim_case(c.user("col_a"), c.case("a"))


@calls("workbench.claims.release_claim")
def _(c):
    from concord.workbench import claims

    claims.claim_case(c.user("col_a"), c.case())
    return lambda: claims.release_claim(c.user("col_a"), c.case())


@calls("workbench.claims.claim_next")
def _(c):
    from concord.workbench import claims

    claims.claim_case(c.user("col_a"), c.case("u"))
    return lambda: claims.claim_next(c.user("col_a"))


@calls("workbench.promises.record_promise")
def _(c):
    from concord.workbench import promises

    c.pay("100", "PAY-TODAY")
    return lambda: promises.record_promise(c.user("col_a"), c.case(), amount=D("500"),
                                           due_date=c.today() + dt.timedelta(days=3), note="月底前还")


@calls("workbench.promises.on_payment_changed")
def _(c):
    from concord.workbench import promises
    from concord.workbench.models import Promise

    promise = promises.record_promise(c.user("col_a"), c.case(), amount=D("500"),
                                      due_date=c.today() + dt.timedelta(days=3))
    payment = c.pay("100", "PAY-1")
    Promise.objects.filter(pk=promise.pk).update(paid_amount=0)  # as before the follower ran
    return lambda: promises.on_payment_changed(c.user("manager"), payment.account, payment, reversed=False)


@calls("workbench.promises.evaluate_promises")
def _(c):
    from concord.workbench import promises

    promises.record_promise(c.user("col_a"), c.case(), amount=D("500"), due_date=c.today() + dt.timedelta(days=3))
    return lambda: promises.evaluate_promises(c.today() + dt.timedelta(days=10))


@calls("workbench.promises.remind_promises")
def _(c):
    from concord.workbench import promises

    promises.record_promise(c.user("col_a"), c.case(), amount=D("500"), due_date=c.today() + dt.timedelta(days=1))
    return lambda: promises.remind_promises(c.today())


@calls("workbench.followups.create_task")
def _(c):
    from concord.workbench import followups

    return lambda: followups.create_task(c.user("col_a"), c.case(), title="下午回电",
                                         due_at=c.now() + dt.timedelta(hours=4))


@calls("workbench.followups.complete_task")
def _(c):
    from concord.workbench import followups

    task = followups.create_task(c.user("col_a"), c.case(), title="下午回电", due_at=c.now() + dt.timedelta(hours=4))
    return lambda: followups.complete_task(c.user("col_a"), task, result="已回电")


@calls("workbench.followups.add_note")
def _(c):
    from concord.workbench import followups

    return lambda: followups.add_note(c.user("col_a"), c.case(), text="借款人称本周五发工资后还款")


@calls("workbench.scripts.update_script")
def _(c):
    from concord.workbench import scripts
    from concord.workbench.models import Script

    script = Script.objects.order_by("id").first()
    return lambda: scripts.update_script(c.user("manager"), script, body_zh="先确认身份，再说明欠款事实与还款方式。")


# == merging a placement's facts into the borrower file (the rules imports share) =================================
@calls("debtors.services.merge_contact_point")
def _(c):
    from concord.debtors import services

    return lambda: services.merge_contact_point(c.user("manager"), c.case().debtor, kind="mobile",
                                                value="13600001234", source_detail="bank")


@calls("debtors.services.merge_employer")
def _(c):
    from concord.debtors import services

    return lambda: services.merge_employer(c.user("manager"), c.case().debtor, employer_name="某科技有限公司")


@calls("debtors.services.merge_related_party")
def _(c):
    from concord.debtors import services

    return lambda: services.merge_related_party(c.user("manager"), c.case().debtor, full_name="李梅", relation="妻子",
                                                phone="13911112222")


@calls("cases.services.open_case", "reopen")
def _(c):
    from concord.cases import services

    services.recall_accounts(None, [c.account("a")], reason="委托方退案")
    return lambda: services.open_case(c.user("manager"), creditor=c.world.creditors["bank"], debtor=c.case().debtor)


@calls("cases.services.place_single_account", "known person")
def _(c):
    from concord.cases import services

    bank = c.world.creditors["bank"]
    return lambda: services.place_single_account(
        c.user("manager"), creditor=bank, product=bank.products.get(kind="online_loan"), full_name="张三",
        id_type="cn_ric", id_number=resident_id(seq=111), mobile="13812348001", account=loan_terms("NEW-002"),
        home_address=ADDRESS, employer="某科技有限公司",
        emergency_contact={"full_name": "李梅", "relation": "妻子", "phone": "13911112222"})


# == failures are on the record too ===============================================================================
def _failing(call, patch_target, name: str):
    """Run ``call`` with ``patch_target.name`` raising, and expect the failure: what it wrote must be audited."""
    def run():
        original = getattr(patch_target, name)

        def boom(*args, **kwargs):
            raise RuntimeError("injected failure")

        setattr(patch_target, name, boom)
        try:
            call()
        except RuntimeError as exc:
            assert "injected failure" in str(exc)
        else:
            raise AssertionError("the injected failure did not happen")
        finally:
            setattr(patch_target, name, original)
    return run


@calls("imports.services.import_file", "failure")
def _(c):
    from concord.imports import placing

    call = _import(c, "placements", c.file("placing.csv", PLACEMENT_HEADERS, _placement_rows()))
    return _failing(call, placing.PlacementWriter, "_write_accounts")


@calls("eod.adapter.run_eod", "failure")
def _(c):
    from concord.eod import adapter, writeback

    return _failing(lambda: adapter.run_eod(dt.date(2026, 11, 28), actor=c.user("admin")), writeback, "queue")


# -- the borrower portal ------------------------------------------------------------------------------------------
def _portal(c):
    from django.conf import settings

    from concord.core.actors import Borrower

    settings.CONCORD_PORTAL_KEY_DIR = str(c.tmp / "portal-keys")
    settings.CONCORD_OUTBOX_DIR = str(c.tmp / "outbox")
    return Borrower(c.case().debtor_id)


@calls("portal.services.request_code")
def _(c):
    from concord.portal import services

    _portal(c)
    debtor = c.case().debtor
    return lambda: services.request_code(name=debtor.full_name, id_last4=debtor.id_last4, mobile="13812348000",
                                         address="10.0.0.1")


@calls("portal.services.verify_code", "wrong")
def _(c):
    from concord.portal import services

    _portal(c)
    debtor = c.case().debtor
    req = services.request_code(name=debtor.full_name, id_last4=debtor.id_last4, mobile="13812348000", address="x")
    return lambda: services.verify_code(req.challenge.pk, "000000" if "000000" not in req.text else "111111")


@calls("portal.services.verify_code", "right")
def _(c):
    import re

    from concord.portal import services

    _portal(c)
    debtor = c.case().debtor
    req = services.request_code(name=debtor.full_name, id_last4=debtor.id_last4, mobile="13812348000", address="x")
    return lambda: services.verify_code(req.challenge.pk, re.search(r"\d{6}", req.text).group(0))


@calls("portal.services.use_link")
def _(c):
    from concord.portal import services, tokens

    _portal(c)
    token = tokens.make(c.case().debtor_id, "sms")
    return lambda: services.use_link(token)


@calls("portal.services.start_session")
def _(c):
    from concord.portal import services

    me = _portal(c)
    return lambda: services.start_session(me)


@calls("portal.services.end_session")
def _(c):
    from concord.portal import services
    from concord.portal.models import PortalSession

    me = _portal(c)
    services.start_session(me)
    return lambda: services.end_session(PortalSession.objects.get())


@calls("portal.actions.record_finances")
def _(c):
    from concord.portal import actions

    me = _portal(c)
    return lambda: actions.record_finances(me, c.case().debtor, income="12000", household="5000", other_debt="2500")


@calls("portal.actions.choose_plan")
def _(c):
    from concord.portal import actions

    me = _portal(c)
    return lambda: actions.choose_plan(me, c.case(), kind="instalment_plan", months=12, discount_amount="0",
                                       finances={"income": "12000", "household": "5000", "other_debt": "2500"})


@calls("portal.actions.accept_plan")
def _(c):
    from concord.arrangements import authority
    from concord.arrangements import services as arrangements
    from concord.portal import actions

    me = _portal(c)
    c.profile()
    authority.set_policy(c.user("manager"), c.world.creditors["bank"], settlement_max_months=12)
    discount = (c.case().total_balance * D("0.05")).quantize(D("0.01"))
    arrangement = actions.choose_plan(me, c.case(), kind="settlement", months=8, discount_amount=discount)
    arrangements.approve(c.user("lead_a"), arrangement, reason="收入属实")
    return lambda: actions.accept_plan(me, arrangement)


@calls("portal.actions.promise")
def _(c):
    from concord.portal import actions

    me = _portal(c)
    return lambda: actions.promise(me, c.case(), amount="300", due_date=c.today() + dt.timedelta(days=3))


@calls("portal.actions.raise_issue", "dispute with a receipt")
def _(c):
    from django.conf import settings

    from concord.portal import actions

    me = _portal(c)
    settings.DATA_DIR = c.tmp
    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", "application/pdf")
    return lambda: actions.raise_issue(me, c.case(), reason="already_paid", details="已转账", upload=receipt)


@calls("portal.actions.raise_issue", "pause")
def _(c):
    from concord.portal import actions

    me = _portal(c)
    return lambda: actions.raise_issue(me, c.case(), reason="hardship", details="")


@calls("portal.actions.set_preferences")
def _(c):
    from concord.portal import actions

    me = _portal(c)
    actions.set_preferences(me, c.case().debtor, stop=["call"])
    return lambda: actions.set_preferences(me, c.case().debtor, stop=["sms"], writing_only=False, language="en",
                                           hours_from=dt.time(18), hours_to=dt.time(21), preferred_channel="letter")


@calls("portal.actions.invite")
def _(c):
    from concord.portal import actions

    _portal(c)
    _book(c)
    return lambda: actions.invite(c.user("col_a"), c.case())


@calls("portal.payments.ledger.start_payment")
def _(c):
    from concord.portal.payments import ledger

    me = _portal(c)
    return lambda: ledger.start_payment(me, account=c.account(), amount="100", provider="sandbox")


@calls("portal.payments.ledger.receive_notification", "posted")
def _(c):
    from concord.portal.payments import ledger, providers

    me = _portal(c)
    order = ledger.start_payment(me, account=c.account(), amount="100", provider="sandbox")
    _t, body = providers.SandboxPlatform().notification(out_trade_no=order.out_trade_no, amount="100.00")
    return lambda: ledger.receive_notification("sandbox", {}, body)


@calls("portal.payments.ledger.receive_notification", "refused")
def _(c):
    from concord.portal.payments import ledger

    _portal(c)
    return lambda: ledger.receive_notification("sandbox", {}, b"out_trade_no=X&total_amount=1.00&sign=AAAA")


@calls("portal.payments.ledger.reconcile")
def _(c):
    from concord.portal.payments import ledger, providers

    me = _portal(c)
    order = ledger.start_payment(me, account=c.account(), amount="100", provider="sandbox")
    providers.SandboxPlatform().notification(out_trade_no=order.out_trade_no, amount="100.00")
    bill = providers.SandboxPlatform.bill(c.today())
    return lambda: ledger.reconcile(None, provider_name="sandbox", day=c.today(), text=bill, file_name="bill.csv")


# -- jobs ------------------------------------------------------------------------------------------------------
def _noop_kind():
    from concord.core import jobs

    jobs.KINDS.setdefault("test.noop", jobs.Kind("test.noop", lambda ctx: {"ok": True}, "noop", resumable=True))
    return jobs


@calls("core.jobs.start_job")
def _(c):
    jobs = _noop_kind()
    return lambda: jobs.start_job("test.noop", {"n": 1}, by=c.user("manager"))


@calls("core.jobs.run_job")
def _(c):
    jobs = _noop_kind()
    job = jobs.start_job("test.noop", by=c.user("manager"))
    return lambda: jobs.run_job(job.pk)


@calls("core.jobs.request_cancel")
def _(c):
    jobs = _noop_kind()
    job = jobs.start_job("test.noop", by=c.user("manager"))
    return lambda: jobs.request_cancel(job, by=c.user("manager"))


@calls("core.jobs.recover_orphans")
def _(c):
    from concord.core.models import Job

    jobs = _noop_kind()
    job = jobs.start_job("test.noop", by=c.user("manager"))
    Job.objects.filter(pk=job.pk).update(state="running", worker="gone-host:1", attempts=1)
    return jobs.recover_orphans


# -- allocation rules and bulk work ------------------------------------------------------------------------------
def _rules(c, team="A"):
    from concord.allocation import services

    return services.save_rules(c.user("manager"), [{"code": "ALL", "team": c.world.teams[team].pk}])


@calls("allocation.services.save_rules")
def _(c):
    from concord.allocation import services

    return lambda: services.save_rules(c.user("manager"), [{"code": "ALL", "team": c.world.teams["B"].pk}])


@calls("allocation.services.rollback")
def _(c):
    from concord.allocation import services

    _rules(c, "A")
    _rules(c, "B")
    return lambda: services.rollback(c.user("manager"), 1)


@calls("allocation.services.apply")
def _(c):
    from concord.allocation import services

    _rules(c, "B")
    return lambda: services.apply(c.user("manager"))


@calls("allocation.services.write_moves")
def _(c):
    from concord.allocation import services

    rs = _rules(c, "B")
    p = services.plan(rs)
    return lambda: services.write_moves(c.user("manager"), rs, p.moves)


@calls("allocation.services.write_assignments")
def _(c):
    from concord.allocation import services
    from concord.eod.allocrules import Move

    u = c.case("u")
    move = Move(u.pk, None, None, c.world.teams["A"].pk, c.user("col_a").pk, "", "bulk")
    return lambda: services.write_assignments(c.user("manager"), [move], reason=lambda m: "bulk:test",
                                              action="case.bulk_reassign")


@calls("allocation.services.allocate_placed")
def _(c):
    from concord.allocation import services

    _rules(c, "A")
    return lambda: services.allocate_placed(c.user("manager"), c.case("u"), [c.case("u").pk])


@calls("allocation.bulk.reassign")
def _(c):
    from concord.allocation import bulk

    return lambda: bulk.reassign(c.user("manager"), [c.case("a").pk, c.case("u").pk], collector=c.user("col_b"))


@calls("allocation.bulk.return_to_pool")
def _(c):
    from concord.allocation import bulk

    return lambda: bulk.return_to_pool(c.user("manager"), [c.case("a").pk, c.case("b").pk], reason="均衡")


@calls("allocation.bulk.hold")
def _(c):
    from concord.allocation import bulk

    return lambda: bulk.hold(c.user("manager"), [c.case("a").pk], reason="核查")


@calls("allocation.bulk.release")
def _(c):
    from concord.allocation import bulk

    bulk.hold(c.user("manager"), [c.case("a").pk], reason="核查")
    return lambda: bulk.release(c.user("manager"), [c.case("a").pk])


@calls("allocation.bulk.recall")
def _(c):
    from concord.allocation import bulk

    return lambda: bulk.recall(c.user("manager"), [c.case("b").pk], reason="委托方收回")


@calls("allocation.bulk.send")
def _(c):
    from concord.allocation import bulk

    return lambda: bulk.send(c.user("manager"), [c.case("a").pk, c.case("b").pk], channel="sms",
                             template_code="reminder")


@calls("allocation.jobs.request_bulk")
def _(c):
    from concord.allocation import jobs

    return lambda: jobs.request_bulk(c.user("manager"), "hold", [c.case("a").pk], options={"reason": "核查"})


@calls("allocation.jobs.start_apply")
def _(c):
    from concord.allocation import jobs

    _rules(c, "B")
    return lambda: jobs.start_apply(c.user("manager"), expected_version=1)


@calls("eod.adapter.abandon_running")
def _(c):
    from concord.eod import adapter
    from concord.eod.models import EodRun

    EodRun.objects.create(as_of=c.today(), engine="duckdb", started_at=c.now())
    return lambda: adapter.abandon_running(c.now() - dt.timedelta(minutes=1), "worker died")


@calls("imports.services.cancel_batch")
def _(c):
    from concord.imports import services
    from concord.imports.models import ImportBatch

    batch = _queued(c)
    ImportBatch.objects.filter(pk=batch.pk).update(status="running", processed_rows=1)
    return lambda: services.cancel_batch(c.user("manager"), batch)


def _operator(c):
    from concord.staff.models import User

    return User.objects.get_or_create(username="ops", defaults={"role": "operator",
                                                                "email": "ops@concord.example.cn"})[0]


@calls("operations.services.set_schedule")
def _(c):
    from concord.operations import services

    ops = _operator(c)
    return lambda: services.set_schedule(ops, "eod_nightly", enabled=True, at=dt.time(1, 15), weekdays="12345")


@calls("operations.services.run_now")
def _(c):
    from concord.operations import services

    ops = _operator(c)
    return lambda: services.run_now(ops, "promise_reminders")


@calls("operations.alerts.raise_alert")
def _(c):
    from concord.operations import alerts

    _operator(c)
    return lambda: alerts.raise_alert("eod_nightly@2026-12-07T00:30:00+08:00", "missed", "missed")


@calls("operations.alerts.job_ended")
def _(c):
    from concord.core.models import Job
    from concord.operations import alerts

    _operator(c)
    job = Job.objects.create(kind="eod.run", created_at=c.now(), state="failed", error="boom",
                             slot="eod_nightly@2026-12-06T00:30:00+08:00")
    return lambda: alerts.job_ended(job)


@calls("operations.alerts.missed")
def _(c):
    from concord.operations import alerts, scheduler

    _operator(c)
    entry = next(e for e in scheduler.entries() if e.key == "eod_nightly")
    at = c.now() - dt.timedelta(days=1)
    return lambda: alerts.missed(entry, at, c.now())


@calls("operations.alerts.check_missed")
def _(c):
    from concord.core.models import WorkerProcess
    from concord.operations import alerts

    _operator(c)
    WorkerProcess.objects.create(name="old:1", host="old", pid=1, started_at=c.now() - dt.timedelta(days=3),
                                 heartbeat_at=c.now() - dt.timedelta(days=2), stopped_at=c.now())
    return lambda: alerts.check_missed(c.now())
# == staff: API tokens and two-factor sign-in ======================================================================
@calls("staff.tokens.issue")
def _(c):
    from concord.staff import tokens

    return lambda: tokens.issue(c.user("manager"), ip="127.0.0.1")


@calls("staff.tokens.revoke_all")
def _(c):
    from concord.staff import tokens

    tokens.issue(c.user("manager"))
    return lambda: tokens.revoke_all(c.user("admin"), c.user("manager"), reason="test")


@calls("staff.twofactor.start_enrolment")
def _(c):
    from concord.staff import twofactor

    return lambda: twofactor.start_enrolment(c.user("manager"))


def _totp_code(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@calls("staff.twofactor.confirm_enrolment")
def _(c):
    from concord.staff import twofactor

    device = twofactor.start_enrolment(c.user("manager"))
    return lambda: twofactor.confirm_enrolment(c.user("manager"), device, _totp_code(device))


@calls("staff.twofactor.confirm_enrolment", "wrong code")
def _(c):
    from concord.staff import twofactor

    device = twofactor.start_enrolment(c.user("manager"))
    return lambda: twofactor.confirm_enrolment(c.user("manager"), device, "000000")


def _enrolled(c, name="manager"):
    from concord.staff import twofactor

    device = twofactor.start_enrolment(c.user(name))
    codes = twofactor.confirm_enrolment(c.user(name), device, _totp_code(device))
    return device, codes


@calls("staff.twofactor.regenerate_recovery_codes")
def _(c):
    from concord.staff import twofactor

    _enrolled(c)
    return lambda: twofactor.regenerate_recovery_codes(c.user("manager"))


@calls("staff.twofactor.reset")
def _(c):
    from concord.staff import twofactor

    _enrolled(c)
    return lambda: twofactor.reset(c.user("admin"), c.user("manager"))


@calls("staff.twofactor.check_code")
def _(c):
    from concord.staff import twofactor

    _device, codes = _enrolled(c)
    return lambda: twofactor.check_code(c.user("manager"), codes[0])


@calls("staff.twofactor.check_code", "wrong code")
def _(c):
    from concord.staff import twofactor

    _enrolled(c)
    return lambda: twofactor.check_code(c.user("manager"), "000000")


# == placements and statements ===================================================================================
def _batch(c, **terms):
    from concord.cases.models import Case
    from concord.creditors import services

    placement = services.create_placement(None, c.world.creditors["bank"], reference="B-W", placed_on=c.today()
                                          - dt.timedelta(days=60), period_days=90, **terms)
    Case.objects.filter(pk__in=[c.case("a").pk, c.case("u").pk]).update(placement=placement)
    return placement


@calls("creditors.services.register_accounts")
def _(c):
    from concord.creditors import services

    placement = _batch(c)
    return lambda: services.register_accounts(c.user("manager"), placement)


@calls("creditors.services.retain_accounts")
def _(c):
    from concord.creditors import services

    placement = _batch(c)
    services.register_accounts(None, placement)
    return lambda: services.retain_accounts(c.user("manager"), placement, {c.account("a").pk: "承诺还款进行中"})


@calls("creditors.services.extend_placement")
def _(c):
    from concord.creditors import services

    placement = _batch(c, end_action="extend", extension_days=30)
    return lambda: services.extend_placement(c.user("manager"), placement)


@calls("creditors.services.set_placement_terms")
def _(c):
    from concord.creditors import services

    placement = _batch(c)
    return lambda: services.set_placement_terms(c.user("manager"), placement, retain_when="promise",
                                                commission_terms={"buckets": {"M1": "0.12"}},
                                                products=[c.world.creditors["bank"].products.get(kind="credit_card")])


@calls("creditors.services.set_creditor_terms")
def _(c):
    from concord.creditors import services

    return lambda: services.set_creditor_terms(c.user("admin"), c.world.creditors["bank"], retain_when="either",
                                               commission_terms={"buckets": {"M3+": "0.25"}})


@calls("placements.services.end_period")
def _(c):
    from concord.creditors import services as creditors
    from concord.placements import services

    placement = _batch(c, retain_when="promise")
    creditors.register_accounts(None, placement)
    from concord.workbench.promises import record_promise
    record_promise(None, c.case("a"), amount=D("100"), due_date=c.today() + dt.timedelta(days=3))
    return lambda: services.end_period(c.user("manager"), placement, on=c.today())


@calls("placements.services.recall_selection")
def _(c):
    from concord.creditors import services as creditors
    from concord.placements import services

    placement = _batch(c)
    creditors.register_accounts(None, placement)
    return lambda: services.recall_selection(c.user("manager"), placement, [c.account("u").pk], reason="委托方收回")


def _last_month_payment(c):
    from concord.loans import services as loans
    loans.record_payment(None, account=c.account("a"), amount=D("100.00"), channel="alipay",
                         paid_at=c.now() - dt.timedelta(days=20), external_reference="ST-1")
    return (c.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@calls("statements.services.approve")
def _(c):
    from concord.statements import services

    month = _last_month_payment(c)
    return lambda: services.approve(c.user("manager"), c.world.creditors["bank"], month)


@calls("statements.services.query")
def _(c):
    from concord.statements import services

    month = _last_month_payment(c)
    return lambda: services.query(c.user("viewer"), c.world.creditors["bank"], month, comment="请核对 100 元")


@calls("statements.services.close")
def _(c):
    from concord.statements import services

    statement = services.approve(None, c.world.creditors["bank"], _last_month_payment(c))
    return lambda: services.close(c.user("manager"), statement)


@calls("statements.services.record_remittance")
def _(c):
    from concord.statements import services

    statement = services.approve(None, c.world.creditors["bank"], _last_month_payment(c))
    return lambda: services.record_remittance(c.user("manager"), statement, amount="88.00", reference="HK-1",
                                              paid_on=c.today())


def _their_file(c) -> Path:
    path = c.tmp / "theirs.csv"
    path.write_text("借据号,交易流水号,还款金额,还款时间\nCARD-0001,ST-1,90.00,"
                    f"{(c.now() - dt.timedelta(days=20)):%Y-%m-%d %H:%M:%S}\n", encoding="utf-8")
    return path


@calls("statements.services.reconcile")
def _(c):
    from concord.statements import services

    month = _last_month_payment(c)
    return lambda: services.reconcile(c.user("viewer"), c.world.creditors["bank"], month, _their_file(c))


@calls("statements.services.resolve_difference")
def _(c):
    from concord.statements import services

    run = services.reconcile(None, c.world.creditors["bank"], _last_month_payment(c), _their_file(c))
    item = run.items.get(kind="amount")
    return lambda: services.resolve_difference(c.user("manager"), item, note="以本系统为准")


# == telephony ===================================================================================================
def _switch(fn, **extra):
    """Run ``fn`` with the in-memory provider of the telephony tests configured, then put the settings back."""
    from django.conf import settings

    from concord.telephony.tests.fakes import FakeSwitch
    from concord.telephony import providers

    providers.register("fake", FakeSwitch)

    def run():
        saved = {k: getattr(settings, k, None) for k in ("CONCORD_TELEPHONY_PROVIDER", *extra)}
        settings.CONCORD_TELEPHONY_PROVIDER = "fake"
        for k, v in extra.items():
            setattr(settings, k, v)
        try:
            return fn()
        finally:
            for k, v in saved.items():
                setattr(settings, k, v)
    return run


def _open_call(c):
    from concord.telephony import services

    decision = _started(c)
    return _switch(lambda: services.open_call(c.user("col_a"), c.case(), decision))()


def _record(c, result="answered", rec=""):
    from concord.telephony.providers import CallRecord

    end = c.now()
    return CallRecord(result=result, started_at=end - dt.timedelta(seconds=60), ended_at=end,
                      answered_at=end - dt.timedelta(seconds=50) if result == "answered" else None, ring_seconds=10,
                      talk_seconds=50 if result == "answered" else 0, hangup_by="customer", recording_ref=rec)


def _ended(call, result="answered", rec=""):
    return {"call": call.ref, "id": "", "kind": "ended", "result": result,
            "start": (call.started_at - dt.timedelta(seconds=60)).isoformat(), "answer": None,
            "end": call.started_at.isoformat(), "ring": 10, "talk": 0, "by": "system", "rec": rec}


@calls("compliance.services.release_permit")
def _(c):
    from concord.compliance.services import release_permit

    decision = _started(c)
    return lambda: release_permit(None, decision, reason="the switch refused the dial")


@calls("telephony.services.open_call")
def _(c):
    from concord.telephony import services

    decision = _started(c)
    return lambda: services.open_call(c.user("col_a"), c.case(), decision)


@calls("telephony.services.dial", "placed")
def _(c):
    from concord.telephony import services
    from concord.telephony.tests.fakes import FakeSwitch

    FakeSwitch.refuse = False
    decision = _started(c)
    return _switch(lambda: services.dial(c.user("col_a"), c.case(), decision, "+8613812348000"))


@calls("telephony.services.dial", "refused")
def _(c):
    from concord.telephony import services
    from concord.telephony.tests.fakes import FakeSwitch

    decision = _started(c)

    def run():
        FakeSwitch.refuse = True
        try:
            return services.dial(c.user("col_a"), c.case(), decision, "+8613812348000")
        finally:
            FakeSwitch.refuse = False
    return _switch(run)


@calls("telephony.services.finish_call")
def _(c):
    from concord.telephony import services

    call = _open_call(c)
    return lambda: services.finish_call(call, _record(c))


@calls("telephony.services.store_events")
def _(c):
    from concord.telephony import services

    call = _open_call(c)
    return _switch(lambda: services.store_events("fake", [{"call": call.ref, "kind": "ringing"}], source="push"))


@calls("telephony.services.receive")
def _(c):
    import json

    from concord.telephony import services

    call = _open_call(c)
    body = json.dumps([{"call": call.ref, "kind": "ringing"}]).encode()
    return _switch(lambda: services.receive("fake", {"X-Token": "s3cret"}, body))


@calls("telephony.services.process_events")
def _(c):
    from concord.telephony import services

    call = _open_call(c)
    _switch(lambda: services.store_events("fake", [{"call": call.ref, "kind": "ringing"}, _ended(call, "no_answer")],
                                          source="push"))()
    return _switch(lambda: services.process_events("fake"))


@calls("telephony.services.reconcile")
def _(c):
    from concord.telephony import services
    from concord.telephony.tests.fakes import FakeSwitch

    call = _open_call(c)
    FakeSwitch.records = [_ended(call, "busy")]
    return _switch(lambda: services.reconcile("fake"))


def _answered_call(c, rec=""):
    from django.conf import settings

    from concord.telephony import services

    settings.DATA_DIR = c.tmp
    return services.finish_call(_open_call(c), _record(c, rec=rec))


@calls("telephony.services.keep_recording")
def _(c):
    from concord.telephony import services
    from concord.telephony.tests.fakes import FakeSwitch

    FakeSwitch.recordings["rec-w"] = b"RIFF writer audio"
    call = _answered_call(c, rec="rec-w")
    return _switch(lambda: services.keep_recording(call))


@calls("workbench.calls.dispose_call")
def _(c):
    from concord.workbench import calls as work_calls

    call = _answered_call(c)
    return lambda: work_calls.dispose_call(c.user("col_a"), call.activity, result_codes=["hardship"],
                                           note="收入下降")


@calls("telephony.inbound.receive_call")
def _(c):
    from concord.telephony.inbound import receive_call

    return lambda: receive_call("+86 138 1234 8000", agent=c.user("col_a"))


def _recorded_call(c):
    import hashlib

    from concord.telephony import services
    from concord.telephony.tests.fakes import FakeSwitch
    from concord.telephony.tests.test_quality import BAD, FakeTranscriber

    audio = b"RIFF quality audio"
    FakeSwitch.recordings["rec-q"] = audio
    FakeTranscriber.scripts[hashlib.sha256(audio).hexdigest()] = BAD
    call = _answered_call(c, rec="rec-q")
    return _switch(lambda: services.keep_recording(call))()


@calls("telephony.quality.review_call")
def _(c):
    from concord.telephony import quality
    from concord.telephony.tests.test_quality import FakeTranscriber

    call = _recorded_call(c)
    return lambda: quality.review_call(call, FakeTranscriber())


@calls("telephony.quality.review_pending")
def _(c):
    from concord.telephony import quality

    _recorded_call(c)
    return _switch(quality.review_pending,
                   CONCORD_TRANSCRIBER="concord.telephony.tests.test_quality.FakeTranscriber")


# == reports: monthly recovery targets ==============================================================================
@calls("reports.targets.set_target")
def _(c):
    from decimal import Decimal

    from concord.reports import targets

    return lambda: targets.set_target(c.user("manager"), creditor=c.world.creditors["bank"], month=c.today(),
                                      amount=Decimal("1000.00"))


# == quality: samples, reviews, the checklist and the rubric =========================================================
def _quality_sample(c):
    from concord.quality import services
    from concord.quality.models import Sample
    from concord.quality.tests.helpers import at, call

    day = c.today() - dt.timedelta(days=1)
    activity = call(c.user("col_a"), c.case(), at(day, 10))
    services.sample_day(day, rate=1, seed="t")
    return Sample.objects.get(activity=activity)


@calls("quality.services.sample_day")
def _(c):
    from concord.quality import services
    from concord.quality.tests.helpers import at, call

    day = c.today() - dt.timedelta(days=1)
    call(c.user("col_a"), c.case(), at(day, 10))
    return lambda: services.sample_day(day, rate=1, seed="t")


@calls("quality.services.submit_review")
def _(c):
    from concord.quality import services

    sample = _quality_sample(c)
    results = {code: "pass" for code in ("identity_verified", "disclosures_given", "no_threats",
                                         "no_third_party_disclosure", "respectful_tone", "correct_outcome")}
    return lambda: services.submit_review(c.user("lead_a"), sample, results, "开场白完整")


@calls("quality.services.ensure_checklist")
def _(c):
    from concord.quality import services
    from concord.quality.models import ChecklistItem

    ChecklistItem.objects.all().delete()          # a flushed database: the default list is written again
    return services.ensure_checklist


@calls("quality.services.save_checklist")
def _(c):
    from concord.quality import services
    from concord.quality.models import ChecklistItem

    services.ensure_checklist()
    rows = [{"id": i.pk, **{f: getattr(i, f) for f in services.CHECKLIST_FIELDS}} for i in ChecklistItem.objects.all()]
    rows[-1]["active"] = False
    return lambda: services.save_checklist(c.user("manager"), rows)


@calls("quality.services.set_rubric")
def _(c):
    from concord.quality import services
    from concord.quality.scorecard import DEFAULT_WEIGHTS

    return lambda: services.set_rubric(c.user("manager"), dict(DEFAULT_WEIGHTS), "季度调整")

# == scoring: the model registry ===================================================================================
def _scoring_draft():
    from concord.scoring import services
    from concord.scoring.tests.helpers import END, START, trained

    return services.register(None, trained("paid_30d"), START, END)


@calls("scoring.services.train_model")
def _(c):
    from concord.scoring import services
    from concord.scoring.tests.helpers import END, START, history

    return lambda: services.train_model(c.user("manager"), "paid_30d", START, END, history=history())


@calls("scoring.services.register")
def _(c):
    from concord.scoring import services
    from concord.scoring.tests.helpers import END, START, trained

    model = trained("paid_30d")
    return lambda: services.register(c.user("manager"), model, START, END)


@calls("scoring.services.approve")
def _(c):
    from concord.scoring import services

    draft = _scoring_draft()
    return lambda: services.approve(c.user("manager"), draft)


@calls("scoring.services.retire")
def _(c):
    from concord.scoring import services

    draft = _scoring_draft()
    return lambda: services.retire(c.user("manager"), draft)


@calls("scoring.services.record_drift")
def _(c):
    from concord.scoring import services

    model = _scoring_draft()
    result = {"rows": 10, "score": 0.05, "features": {"max_dpd": 0.02}}
    return lambda: services.record_drift(model, c.today(), result)

# == reports: subscriptions (the report's Excel file e-mailed on a schedule) ========================================
def _subscriber(c):
    manager = c.user("manager")
    manager.email = "manager@concord.example.cn"
    manager.save()
    return manager


def _subscription(c):
    from concord.reports import subscriptions

    return subscriptions.create_subscription(
        _subscriber(c), title="日报", report="recovery", period="yesterday", frequency="daily", at=dt.time(8),
        recipients=["manager@concord.example.cn"])


@calls("reports.subscriptions.create_subscription")
def _(c):
    from concord.reports import subscriptions

    manager = _subscriber(c)
    return lambda: subscriptions.create_subscription(
        manager, title="周报", report="contact", period="last_week", frequency="weekly", weekday=1, at=dt.time(8),
        recipients=["manager@concord.example.cn"])


@calls("reports.subscriptions.update_subscription")
def _(c):
    from concord.reports import subscriptions

    sub = _subscription(c)
    return lambda: subscriptions.update_subscription(
        c.user("manager"), sub, title="月报", report="recovery", period="last_month", frequency="monthly",
        month_day=3, at=dt.time(9), recipients=["manager@concord.example.cn"])


@calls("reports.subscriptions.delete_subscription")
def _(c):
    from concord.reports import subscriptions

    sub = _subscription(c)
    return lambda: subscriptions.delete_subscription(c.user("manager"), sub)


@calls("reports.delivery.send_now")
def _(c):
    from concord.reports import delivery

    sub = _subscription(c)
    return lambda: delivery.send_now(c.user("manager"), sub)


@calls("reports.delivery.start_delivery")
def _(c):
    from concord.reports import delivery

    sub = _subscription(c)
    return lambda: delivery.start_delivery(sub, c.today(), slot=f"report:{sub.pk}@x")


@calls("reports.delivery.attempt")
def _(c):
    from concord.reports import delivery

    d = delivery.start_delivery(_subscription(c), c.today())
    return lambda: delivery.attempt(d)


def _strategy_tree(channel="sms"):
    from concord.strategy import services

    tree = services.check(services.shipped_tree())
    tree["rules"][-1]["channel"] = channel
    return tree


@calls("strategy.services.save_version")
def _(c):
    from concord.strategy import services

    return lambda: services.save_version(c.user("manager"), "default", _strategy_tree(), note="短信兜底")


@calls("strategy.services.rollback")
def _(c):
    from concord.strategy import services

    services.save_version(c.user("manager"), "default", _strategy_tree())
    return lambda: services.rollback(c.user("manager"), "default", 1)


@calls("strategy.services.make_live")
def _(c):
    from concord.strategy import services

    services.save_version(c.user("manager"), "gentle", _strategy_tree("letter"))
    return lambda: services.make_live(c.user("manager"), "gentle")


@calls("strategy.services.ensure_default")
def _(c):
    from concord.strategy import services
    from concord.strategy.models import Strategy, StrategyVersion

    StrategyVersion.objects.all().delete()        # a flushed database: the shipped strategy is written again
    Strategy.objects.all().delete()
    return services.ensure_default


def _strategy_experiment(c):
    from concord.strategy import experiments, services

    services.ensure_default()
    challenger = services.save_version(c.user("manager"), "letters", _strategy_tree("letter"))
    return experiments.start(c.user("manager"), 70, [(challenger.pk, 30)], seed=5)


@calls("strategy.experiments.start")
def _(c):
    from concord.strategy import experiments, services

    services.ensure_default()
    challenger = services.save_version(c.user("manager"), "letters", _strategy_tree("letter"))
    return lambda: experiments.start(c.user("manager"), 70, [(challenger.pk, 30)], note="信函优先")


@calls("strategy.experiments.assign")
def _(c):
    import datetime as dt

    from concord.strategy import experiments

    _strategy_experiment(c)
    return lambda: experiments.assign(c.user("manager"), dt.date(2026, 11, 28))


@calls("strategy.experiments.promote")
def _(c):
    from concord.strategy import experiments

    exp = _strategy_experiment(c)
    return lambda: experiments.promote(c.user("manager"), exp, 1)


@calls("strategy.experiments.end")
def _(c):
    from concord.strategy import experiments

    exp = _strategy_experiment(c)
    return lambda: experiments.end(c.user("manager"), exp)
