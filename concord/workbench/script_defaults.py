"""The default scripts for difficult conversations (seeded by migration workbench/0002; ``scripts.ensure_defaults`` puts back
a missing one). Changing this text later changes no existing row: managers edit the scripts on /work/scripts/."""

SCRIPTS = [
    ("hardship", "经济困难", "Financial hardship",
     "1. 先倾听，不打断：“谢谢您愿意告诉我您的情况。”\n"
     "2. 了解收支：收入、家庭必要支出、其他债务月供，如实记录，不评判。\n"
     "3. 说明可选方案：分期、个性化分期、减免须经审批；只承诺能做到的事。\n"
     "4. 不要求借新还旧，不建议向亲友借款。\n"
     "5. 约定下一步：“我会把您的情况提交评估，X 日前回复您。”",
     "1. Listen first, do not interrupt: \"Thank you for telling me about your situation.\"\n"
     "2. Understand income, essential household costs and other debt payments; record them without judgement.\n"
     "3. Explain the options: instalment plans and discounts need approval; promise only what can be done.\n"
     "4. Never suggest new borrowing or borrowing from family and friends.\n"
     "5. Agree the next step: \"I will submit your situation for review and get back to you by <date>.\""),
    ("anger", "情绪激动", "An angry customer",
     "1. 保持平静、语速放慢，不争辩、不反击。\n"
     "2. 承认情绪：“听得出来您很着急/不满，我理解。”\n"
     "3. 询问原因，复述确认：“您是说……，对吗？”\n"
     "4. 如对方要求投诉，告知投诉渠道并如实登记。\n"
     "5. 如对方要求暂时结束通话，礼貌结束并约定合适时间。",
     "1. Stay calm, slow down, do not argue or answer back.\n"
     "2. Acknowledge the feeling: \"I can hear that you are upset, and I understand.\"\n"
     "3. Ask what is wrong and repeat it back: \"You are saying that..., is that right?\"\n"
     "4. If they want to complain, explain how and record the complaint truthfully.\n"
     "5. If they want to end the call, end it politely and agree a better time."),
    ("dispute", "对债务有异议", "The debt is disputed",
     "1. 不否认、不施压：“感谢告知，我们会认真核实。”\n"
     "2. 记录异议内容：金额、非本人、已还款等，并勾选“异议”结果代码。\n"
     "3. 说明：异议核实期间暂停催收，核实结果会书面告知。\n"
     "4. 告知可提供的材料（还款凭证、身份证明）及提交方式。",
     "1. Do not deny or press: \"Thank you for telling me; we will look into it properly.\"\n"
     "2. Record what is disputed (amount, not their debt, already paid) and tick the \"dispute\" result code.\n"
     "3. Explain that collection pauses while the dispute is checked, and the outcome will be sent in writing.\n"
     "4. Say which documents help (payment receipts, proof of identity) and how to send them."),
    ("third_party", "第三方接听", "A third party answers",
     "1. 只表明身份和来意为“找本人”：“您好，我找张先生，请问他方便接电话吗？”\n"
     "2. 绝不透露欠款、逾期或催收事宜，不说明机构性质。\n"
     "3. 仅在失联时可询问本人的联系方式；对方拒绝即停止，并登记“拒绝再联系”。\n"
     "4. 对方表示打错电话时，致歉并勾选“号码错误”。",
     "1. Only ask for the person: \"Hello, may I speak to Mr Zhang? Is he available?\"\n"
     "2. Never mention the debt, arrears or collection, nor what kind of company you are.\n"
     "3. Ask for the person's contact details only where they are lost contact; if refused, stop and record it.\n"
     "4. If it is a wrong number, apologise and mark the number as wrong."),
]


def seed(script_model) -> int:
    """Create every missing default script with ``script_model`` (the migration's historical model or today's);
    returns how many were created."""
    made = 0
    for topic, title_zh, title_en, body_zh, body_en in SCRIPTS:
        _obj, created = script_model.objects.get_or_create(topic=topic, defaults={
            "title_zh": title_zh, "title_en": title_en, "body_zh": body_zh, "body_en": body_en})
        made += created
    return made
