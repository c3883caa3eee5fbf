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
