"""What each policy pack requires a letter or message to disclose, as data (Chinese and English).

``LETTER[pack][language]`` lists the sections every demand letter and arrangement confirmation carries: who owes
what (name and balance), why and on what legal basis, the debtor's rights, how to check and dispute, and how to
reach the creditor. ``OPT_OUT[pack][channel][language]`` is the opt-out notice an SMS or e-mail must carry. The
texts use the template variables of :mod:`concord.outreach.rendering`.
"""
from __future__ import annotations

_CN_LETTER = {
    "zh-hans": [
        ("债务信息", "债务人：{debtor_name}；委托方：{creditor_name}；案件编号：{case_reference}；借据/卡号尾号：{account_tail}；"
                 "截至 {today} 欠款余额：人民币 {balance} 元（含本金、利息、罚息及费用，以对账结果为准）。"),
        ("原因与法律依据", "上述款项系您与{creditor_name}签订的借款/信用卡合同项下已到期未还的款项，最早未还应还日期为 {due_date}。"
                      "依据《中华人民共和国民法典》第五百七十七条、第六百七十五条、第六百七十六条，借款人应按约定期限返还借款，"
                      "逾期应按约定或国家有关规定支付逾期利息。"),
        ("您的权利", "您有权核对欠款明细、要求提供合同及还款记录、对金额或债务本身提出异议；有权依据《个人信息保护法》查询、更正您的个人信息；"
                  "有权就催收行为向委托方投诉，或拨打 12378 金融消费者投诉热线。异议处理期间我们将暂停催收。"),
        ("如何核对与提出异议", "请致电 {creditor_phone} 或写信至 {creditor_address}，注明案件编号 {case_reference}。"
                        "我们将在收到异议后核实并书面答复。"),
        ("委托方联系方式", "{creditor_name}　服务热线：{creditor_phone}　地址：{creditor_address}"),
    ],
    "en": [
        ("The debt", "Debtor: {debtor_name}; creditor: {creditor_name}; case reference: {case_reference}; account ending "
                     "{account_tail}; balance on {today}: CNY {balance} (principal, interest, penalty interest and fees, "
                     "subject to reconciliation)."),
        ("Reason and legal basis", "The amount is due and unpaid under your loan or card contract with {creditor_name}; "
                                   "the oldest unpaid instalment fell due on {due_date}. Under Articles 577, 675 and 676 "
                                   "of the Civil Code of the PRC a borrower must repay on the agreed dates and pays "
                                   "overdue interest as agreed or as the state provides."),
        ("Your rights", "You may check the itemised balance, ask for the contract and payment history, and dispute the "
                        "amount or the debt; you may access and correct your personal information under the Personal "
                        "Information Protection Law; you may complain to the creditor or call the 12378 financial "
                        "consumer hotline. Collection pauses while a dispute is examined."),
        ("How to check and dispute", "Call {creditor_phone} or write to {creditor_address}, quoting case {case_reference}. "
                                     "We will examine your dispute and answer in writing."),
        ("Creditor contact", "{creditor_name}, phone {creditor_phone}, address {creditor_address}"),
    ],
}

_US_LETTER = {
    "en": [
        ("Notice", "This is a communication from a debt collector. This is an attempt to collect a debt, and any "
                   "information obtained will be used for that purpose."),
        ("The debt", "{debtor_name}, you owe {creditor_name} USD {balance} as of {today} (case {case_reference}, "
                     "account ending {account_tail})."),
        ("Reason and legal basis", "The amount is unpaid under your credit agreement with {creditor_name}; the oldest "
                                   "unpaid payment was due on {due_date}. This notice is given under the Fair Debt "
                                   "Collection Practices Act and Regulation F (12 CFR 1006.34)."),
        ("Your rights", "Call or write to us by {dispute_by} to dispute all or part of the debt. If you do not, we will "
                        "assume that our information is correct. If you write to us by {dispute_by}, we must stop "
                        "collection on any amount you dispute until we send you information that shows you owe the "
                        "debt. You may also ask for the name and address of the original creditor, if different from "
                        "the current creditor. Learn more about your rights at www.cfpb.gov/debt-collection."),
        ("How to check and dispute", "Call {creditor_phone} or write to {creditor_address}, quoting case "
                                     "{case_reference}."),
        ("Creditor contact", "{creditor_name}, phone {creditor_phone}, address {creditor_address}"),
    ],
}
_US_LETTER["zh-hans"] = [
    ("通知", "本函来自债务催收方，目的是催收债务，所获信息将用于该目的。"),
    ("债务信息", "{debtor_name}：截至 {today}，您欠{creditor_name} {balance} 美元（案件编号 {case_reference}，账户尾号 {account_tail}）。"),
    ("原因与法律依据", "上述款项为您与{creditor_name}信贷协议项下未付款项，最早未付款项应付日为 {due_date}。本通知依据美国《公平债务催收作业法》及 Regulation F（12 CFR 1006.34）发出。"),
    ("您的权利", "如对全部或部分债务有异议，请于 {dispute_by} 前致电或来函；否则我们将视为信息无误。若您在 {dispute_by} 前来函提出异议，"
              "在向您提供证明材料前，我们将停止对有异议部分的催收。您可要求提供原始债权人的名称和地址。更多权利说明见 www.cfpb.gov/debt-collection。"),
    ("如何核对与提出异议", "请致电 {creditor_phone} 或写信至 {creditor_address}，注明案件编号 {case_reference}。"),
    ("委托方联系方式", "{creditor_name}　电话：{creditor_phone}　地址：{creditor_address}"),
]

_UK_LETTER = {
    "en": [
        ("The debt", "{debtor_name}, your balance with {creditor_name} on {today} is GBP {balance} (case "
                     "{case_reference}, account ending {account_tail})."),
        ("Reason and legal basis", "The amount is in arrears under your credit agreement with {creditor_name}; the "
                                   "oldest missed payment was due on {due_date}. This letter follows the FCA Consumer "
                                   "Credit sourcebook (CONC 7)."),
        ("Your rights", "Free, independent debt advice is available from MoneyHelper (moneyhelper.org.uk), StepChange "
                        "and National Debtline. If you are in financial difficulty, tell us: we will consider your "
                        "circumstances and may pause collection. If you are unhappy with how we treat you, you may "
                        "complain to us and then to the Financial Ombudsman Service."),
        ("How to check and dispute", "Call {creditor_phone} or write to {creditor_address}, quoting case "
                                     "{case_reference}. Collection pauses while we look into a dispute."),
        ("Creditor contact", "{creditor_name}, phone {creditor_phone}, address {creditor_address}"),
    ],
}
_UK_LETTER["zh-hans"] = [
    ("债务信息", "{debtor_name}：截至 {today}，您在{creditor_name}的欠款为 {balance} 英镑（案件编号 {case_reference}，账户尾号 {account_tail}）。"),
    ("原因与法律依据", "上述款项为您与{creditor_name}信贷协议项下的拖欠款项，最早未付款项应付日为 {due_date}。本函依据英国金融行为监管局消费信贷手册（CONC 7）发出。"),
    ("您的权利", "您可从 MoneyHelper、StepChange、National Debtline 获得免费、独立的债务咨询。如有经济困难请告知我们，我们将考虑您的情况并可暂停催收。"
              "如对我们的处理不满，可向我们投诉，并可进一步向金融申诉专员服务机构（FOS）投诉。"),
    ("如何核对与提出异议", "请致电 {creditor_phone} 或写信至 {creditor_address}，注明案件编号 {case_reference}。核查异议期间暂停催收。"),
    ("委托方联系方式", "{creditor_name}　电话：{creditor_phone}　地址：{creditor_address}"),
]

LETTER: dict[str, dict[str, list[tuple[str, str]]]] = {
    "cn_bank": _CN_LETTER, "cn_online_lending": _CN_LETTER, "us_reg_f": _US_LETTER, "uk_conc": _UK_LETTER,
}

_OPT_OUT_SMS = {"zh-hans": "回复TD退订", "en": "Reply STOP to opt out"}
_OPT_OUT_EMAIL = {
    "zh-hans": "如不希望再收到有关此债务的电子邮件，请直接回复“退订”，或致电 {creditor_phone}。",
    "en": "To stop e-mails from us about this debt, reply UNSUBSCRIBE to this e-mail or call {creditor_phone}. "
          "Opting out is free.",
}
OPT_OUT: dict[str, dict[str, dict[str, str]]] = {
    pack: {"sms": _OPT_OUT_SMS, "email": _OPT_OUT_EMAIL} for pack in LETTER
}

#: Words of an opt-out reply (compared after NFKC, trimmed, upper-cased, punctuation removed).
OPT_OUT_WORDS = {"TD", "T", "N", "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT OUT",
                 "退订", "退订短信", "取消", "取消订阅", "不要再发", "拒收"}
#: Phrases that make a reply an opt-out wherever they appear.
OPT_OUT_PHRASES = ("退订", "UNSUBSCRIBE", "取消订阅", "不要再发", "别再发", "OPT OUT", "OPT-OUT")


def letter_sections(pack: str, language: str) -> list[tuple[str, str]]:
    packs = LETTER.get(pack) or _CN_LETTER
    return packs.get(language) or packs.get("en") or next(iter(packs.values()))


def opt_out_text(pack: str, channel: str, language: str) -> str:
    return (OPT_OUT.get(pack, {}).get(channel) or {}).get(language, "")
