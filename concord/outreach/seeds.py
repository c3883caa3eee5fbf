"""The default templates, Chinese and English, seeded approved by migration 0002 (lawful wording: the facts,
how to pay, how to get help; no pressure beyond the truth)."""

TEMPLATES = [
    # code, channel, language, purpose, name, subject, body
    ("reminder", "sms", "zh-hans", "collection", "还款提醒", "",
     "【{creditor_name}】{debtor_name}您好，您尾号{account_tail}的账户欠款{balance}元（最早应还日{due_date}）尚未结清，"
     "请尽快还款。如还款有困难，可回复本短信协商还款方案。案件编号{case_reference}。"),
    ("reminder", "sms", "en", "collection", "Payment reminder", "",
     "{creditor_name}: Dear {debtor_name}, the account ending {account_tail} has an unpaid balance of {balance} "
     "(oldest due date {due_date}). Please pay when you can; if paying is hard, reply to discuss a plan. "
     "Ref {case_reference}."),
    ("payment_link", "sms", "zh-hans", "collection", "还款链接", "",
     "【{creditor_name}】{debtor_name}您好，您可通过官方链接查看账单并还款：{payment_link}（案件编号{case_reference}）。"
     "请勿向任何个人账户转账。"),
    ("payment_link", "sms", "en", "collection", "Payment link", "",
     "{creditor_name}: Dear {debtor_name}, you can view your balance and pay through our official link: "
     "{payment_link} (ref {case_reference}). Never pay into a personal account."),
    ("reminder", "email", "zh-hans", "collection", "还款提醒（邮件）", "{creditor_name}：关于案件 {case_reference} 的还款提醒",
     "{debtor_name}您好：\n\n您尾号{account_tail}的账户截至{today}欠款{balance}元，最早应还日为{due_date}。请您尽快安排还款。\n\n"
     "如您目前还款有困难，请致电{creditor_phone}或回复本邮件说明情况，我们可以根据您的实际情况协商分期等还款方案。"
     "如您对欠款金额有异议，也请告知我们，核实期间将暂停催收。\n\n{creditor_name}"),
    ("reminder", "email", "en", "collection", "Payment reminder (e-mail)",
     "{creditor_name}: payment reminder for case {case_reference}",
     "Dear {debtor_name},\n\nOn {today} the account ending {account_tail} has an unpaid balance of {balance}; the "
     "oldest payment was due on {due_date}. Please arrange to pay as soon as you can.\n\nIf paying is difficult "
     "right now, call {creditor_phone} or reply to this e-mail: we can agree an instalment plan that fits your "
     "situation. If you dispute the amount, tell us and collection will pause while we check.\n\n{creditor_name}"),
    ("portal_invite", "sms", "zh-hans", "collection", "自助服务邀请", "",
     "【{creditor_name}】{debtor_name}您好，您可通过本人专属链接查看欠款、在线还款、选择分期或提出异议：{portal_link}"
     "（限时有效，仅限本人使用）。"),
    ("portal_invite", "sms", "en", "collection", "Self-service invitation", "",
     "{creditor_name}: Dear {debtor_name}, see what you owe, pay online, choose a plan or raise a dispute through "
     "your personal link: {portal_link} (expires; for you only)."),
    ("arrangement_confirmation", "letter", "zh-hans", "service", "还款安排确认函", "还款安排确认函",
     "{debtor_name}：\n\n感谢您与{creditor_name}就案件{case_reference}达成还款安排。具体还款金额与日期以双方确认的还款计划为准。"
     "按计划按时还款期间，我们将暂停对本案的催收。\n\n如某期还款有困难，请在应还日前致电{creditor_phone}，我们会与您商量调整办法。"),
    ("arrangement_confirmation", "letter", "en", "service", "Arrangement confirmation",
     "Confirmation of your payment arrangement",
     "Dear {debtor_name},\n\nThank you for agreeing a payment arrangement with {creditor_name} for case "
     "{case_reference}. The amounts and dates are those of the plan we both confirmed. While you keep to the plan "
     "we will not pursue collection of this case.\n\nIf an instalment becomes hard to pay, call {creditor_phone} "
     "before its due date and we will discuss how to adjust it."),
    ("demand_letter", "letter", "zh-hans", "collection", "催收函", "还款通知函",
     "{debtor_name}：\n\n您在{creditor_name}的借款/信用卡账户（尾号{account_tail}）已逾期{dpd}天，截至{today}欠款人民币{balance}元。"
     "请您于收到本函后尽快还款，或与我们联系协商还款方案。\n\n如您长期不履行还款义务，{creditor_name}可能依法向人民法院提起诉讼，"
     "逾期记录将依法报送金融信用信息基础数据库。如您对欠款有异议，请按下文方式提出，核实期间我们将暂停催收。"),
    ("demand_letter", "letter", "en", "collection", "Demand letter", "Notice of amount due",
     "Dear {debtor_name},\n\nYour loan or card account with {creditor_name} (ending {account_tail}) is {dpd} days "
     "overdue; on {today} the balance is {balance}. Please pay, or contact us to agree a payment plan, as soon as "
     "you receive this letter.\n\nIf the debt remains unpaid, {creditor_name} may take lawful steps, including "
     "filing a claim in court, and late payments may be reported to credit reference agencies as the law allows. "
     "If you dispute the debt, please tell us as described below; collection pauses while we check."),
]

#: One approved template for each stage of a book's life, in both languages (migration 0003). Each says the facts,
#: how to pay and how to get help; none presses beyond the truth (the content check runs on every one in the tests).
STAGES = [
    # code, stage label (zh, en)
    ("pre_due", "到期前提醒", "Before the due date"),
    ("m1", "逾期 M1", "Overdue M1"),
    ("m2", "逾期 M2", "Overdue M2"),
    ("m3_plus", "逾期 M3 及以上", "Overdue M3+"),
    ("promise_reminder", "承诺还款提醒", "Promise reminder"),
    ("broken_promise", "承诺未履行", "Broken promise"),
    ("plan_confirmation", "还款方案确认", "Plan confirmation"),
    ("hardship_response", "困难回应", "Hardship response"),
    ("dispute_ack", "异议受理确认", "Dispute acknowledgement"),
    ("recall_notice", "退案通知", "Recall notice"),
]

STAGE_TEMPLATES = [
    ("pre_due", "sms", "zh-hans", "service", "到期前提醒", "",
     "【{creditor_name}】{debtor_name}您好，您尾号{account_tail}的账户近期有一期应还款，当前应还余额{balance}元。"
     "请留意按时还款；如有疑问请致电{creditor_phone}。"),
    ("pre_due", "sms", "en", "service", "Before the due date", "",
     "{creditor_name}: Dear {debtor_name}, a payment on the account ending {account_tail} is coming due; the amount "
     "owed is {balance}. Questions? Call {creditor_phone}."),
    ("m1", "sms", "zh-hans", "collection", "逾期 M1 提醒", "",
     "【{creditor_name}】{debtor_name}您好，您尾号{account_tail}的账户已逾期{dpd}天，欠款{balance}元（最早应还日{due_date}）。"
     "请尽快还款；如有困难可致电{creditor_phone}协商。案件编号{case_reference}。"),
    ("m1", "sms", "en", "collection", "Overdue M1 reminder", "",
     "{creditor_name}: Dear {debtor_name}, the account ending {account_tail} is {dpd} days overdue, balance "
     "{balance} (oldest due {due_date}). Please pay soon; if that is hard, call {creditor_phone} to agree a plan. "
     "Ref {case_reference}."),
    ("m2", "sms", "zh-hans", "collection", "逾期 M2 提醒", "",
     "【{creditor_name}】{debtor_name}您好，您尾号{account_tail}的账户已逾期{dpd}天，欠款{balance}元。"
     "持续逾期会按合同产生罚息，并依法报送征信。我们可以根据您的情况商定分期，请致电{creditor_phone}。案件编号{case_reference}。"),
    ("m2", "sms", "en", "collection", "Overdue M2 reminder", "",
     "{creditor_name}: Dear {debtor_name}, the account ending {account_tail} is {dpd} days overdue, balance "
     "{balance}. Late payment adds penalty interest under your contract and is reported to the credit bureau as the "
     "law requires. We can agree instalments that fit your situation: call {creditor_phone}. Ref {case_reference}."),
    ("m3_plus", "sms", "zh-hans", "collection", "逾期 M3 及以上提醒", "",
     "【{creditor_name}】{debtor_name}您好，您尾号{account_tail}的账户已逾期{dpd}天，欠款{balance}元。"
     "如长期未还，{creditor_name}可能依法通过诉讼主张权利。现在联系我们仍可协商还款方案：{creditor_phone}。案件编号{case_reference}。"),
    ("m3_plus", "sms", "en", "collection", "Overdue M3+ notice", "",
     "{creditor_name}: Dear {debtor_name}, the account ending {account_tail} is {dpd} days overdue, balance "
     "{balance}. If it stays unpaid, {creditor_name} may take lawful steps, including a claim in court. You can "
     "still agree a plan with us: {creditor_phone}. Ref {case_reference}."),
    ("promise_reminder", "sms", "zh-hans", "collection", "承诺还款提醒", "",
     "【{creditor_name}】{debtor_name}您好，感谢您约定于{promise_date}前还款{promise_amount}元。当前欠款{balance}元。"
     "如约定日期前有困难，请致电{creditor_phone}告知。案件编号{case_reference}。"),
    ("promise_reminder", "sms", "en", "collection", "Promise reminder", "",
     "{creditor_name}: Dear {debtor_name}, thank you for your promise to pay {promise_amount} by {promise_date}; "
     "the balance is {balance}. If something changes, call {creditor_phone} before then. Ref {case_reference}."),
    ("broken_promise", "sms", "zh-hans", "collection", "承诺未履行", "",
     "【{creditor_name}】{debtor_name}您好，我们未收到您约定的还款，当前欠款{balance}元。"
     "如遇到困难，请致电{creditor_phone}，我们可以重新商定可行的还款安排。案件编号{case_reference}。"),
    ("broken_promise", "sms", "en", "collection", "Promise not kept", "",
     "{creditor_name}: Dear {debtor_name}, we have not received the payment you promised; the balance is "
     "{balance}. If something has come up, call {creditor_phone} and we can agree a plan you can keep. "
     "Ref {case_reference}."),
    ("plan_confirmation", "sms", "zh-hans", "service", "还款方案确认", "",
     "【{creditor_name}】{debtor_name}您好，您的还款方案已生效（案件编号{case_reference}），按计划还款期间暂停催收。"
     "如某期有困难，请在应还日前致电{creditor_phone}。"),
    ("plan_confirmation", "sms", "en", "service", "Plan confirmation", "",
     "{creditor_name}: Dear {debtor_name}, your payment plan for ref {case_reference} is in place; while you keep "
     "to it we will not pursue collection. If an instalment becomes hard, call {creditor_phone} before it is due."),
    ("hardship_response", "sms", "zh-hans", "service", "困难回应", "",
     "【{creditor_name}】{debtor_name}您好，我们已收到您说明的经济困难（案件编号{case_reference}），将据实评估，"
     "期间不会向您施压。如需补充材料或商量方案，请致电{creditor_phone}。"),
    ("hardship_response", "sms", "en", "service", "Hardship response", "",
     "{creditor_name}: Dear {debtor_name}, we have received what you told us about your financial difficulty "
     "(ref {case_reference}) and will assess it fairly; we will not press you meanwhile. To add details or discuss "
     "options, call {creditor_phone}."),
    ("dispute_ack", "sms", "zh-hans", "service", "异议受理确认", "",
     "【{creditor_name}】{debtor_name}您好，您对案件{case_reference}提出的异议已受理，核实期间暂停催收，"
     "结果将书面告知您。咨询电话{creditor_phone}。"),
    ("dispute_ack", "sms", "en", "service", "Dispute acknowledgement", "",
     "{creditor_name}: Dear {debtor_name}, we have received your dispute about ref {case_reference}. Collection "
     "is paused while we check, and we will write to you with the result. Questions: {creditor_phone}."),
    ("dispute_ack", "letter", "zh-hans", "service", "异议受理确认函", "异议受理确认函",
     "{debtor_name}：\n\n您就案件{case_reference}（账户尾号{account_tail}）提出的异议我们已于{today}受理。核实期间，我们将暂停对本案的催收。"
     "\n\n核实结果将以书面形式告知您。如需补充材料，请于{dispute_by}前寄至{creditor_address}或致电{creditor_phone}。\n\n{creditor_name}"),
    ("dispute_ack", "letter", "en", "service", "Dispute acknowledgement letter", "We have received your dispute",
     "Dear {debtor_name},\n\nOn {today} we received your dispute about case {case_reference} (account ending "
     "{account_tail}). Collection of this case is paused while we check.\n\nWe will write to you with the result. "
     "To send further documents, write to {creditor_address} or call {creditor_phone} by {dispute_by}.\n\n"
     "{creditor_name}"),
    ("recall_notice", "sms", "zh-hans", "service", "退案通知", "",
     "【{creditor_name}】{debtor_name}您好，案件{case_reference}已由{creditor_name}收回自行管理，本机构不再就此联系您。"
     "后续事宜请致电{creditor_phone}。"),
    ("recall_notice", "sms", "en", "service", "Recall notice", "",
     "{creditor_name}: Dear {debtor_name}, {creditor_name} has taken case {case_reference} back; our agency will no "
     "longer contact you about it. For anything further, call {creditor_phone}."),
    ("recall_notice", "letter", "zh-hans", "service", "退案通知函", "案件退回通知",
     "{debtor_name}：\n\n自{today}起，案件{case_reference}（账户尾号{account_tail}）已由{creditor_name}收回，本机构不再就此案件与您联系。"
     "\n\n如需了解账户情况，请致电{creditor_phone}或写信至{creditor_address}。"),
    ("recall_notice", "letter", "en", "service", "Recall notice letter", "Your case has been returned",
     "Dear {debtor_name},\n\nFrom {today}, {creditor_name} has taken case {case_reference} (account ending "
     "{account_tail}) back, and our agency will no longer contact you about it.\n\nFor questions about the account, "
     "call {creditor_phone} or write to {creditor_address}."),
]
