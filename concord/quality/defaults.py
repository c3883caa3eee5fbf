"""The default inspection checklist (质检清单): six items, 100 points; failing "no threats" or "no third-party
disclosure" is a breach. Written by migration 0002 and, where the table is empty (a database flushed by tests, a
manual reset), by ``services.ensure_checklist``."""

DEFAULT_CHECKLIST = [
    ("identity_verified", "核实对方身份", "Identity verified", 15, False),
    ("disclosures_given", "告知身份与来电目的", "Disclosures given", 15, False),
    ("no_threats", "无威胁恐吓", "No threats", 25, True),
    ("no_third_party_disclosure", "未向第三方透露债务", "No third-party disclosure", 20, True),
    ("respectful_tone", "语气文明礼貌", "Respectful tone", 15, False),
    ("correct_outcome", "通话结果登记正确", "Correct outcome recorded", 10, False),
]
