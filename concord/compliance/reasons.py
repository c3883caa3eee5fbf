"""Reasons for the collector, in Chinese and English, one sentence per denial. Pure: no Django import."""
from __future__ import annotations

from .model import Denial

CHANNEL_ZH = {"call": "电话", "sms": "短信", "email": "电子邮件", "letter": "信函", "visit": "外访", "wechat": "微信",
              None: "任何渠道"}
HOLD_ZH = {"complaint": "投诉", "dispute": "争议", "breathing_space": "喘息期（Breathing Space）",
           "arrangement": "还款安排（个性化分期等）", "legal": "法律程序", "other": "其他", "unspecified": "未注明类型的"}
HOLD_EN = {"complaint": "complaint", "dispute": "dispute", "breathing_space": "Breathing Space",
           "arrangement": "arrangement", "legal": "legal", "other": "other", "unspecified": "unspecified"}
FIELD_ZH = {"timezone": "债务人时区", "channel": "联系渠道", "party": "联系对象", "purpose": "联系目的",
            "debt": "所涉债务", "number": "电话号码", "agents": "外访人数", "policy": "适用的合规策略包",
            "relation": "联系对象与债务人的关系"}
FIELD_EN = {"timezone": "the debtor's time zone", "channel": "the channel", "party": "the party",
            "purpose": "the purpose", "debt": "the debt", "number": "the phone number",
            "agents": "the number of collectors on the visit", "policy": "the policy pack",
            "relation": "the party's relation to the debtor"}

# key: (zh, en) with str.format fields
MESSAGES: dict[str, tuple[str, str]] = {
    "data": ("缺少{field_zh}，按安全原则拒绝", "{field_en} is missing, so the contact is denied to be safe"),
    "hours": ("当地时间 {time} 不在允许联系的时段 {start}–{end} 内",
              "local time {time} is outside the allowed contact hours {start}–{end}"),
    "inconvenient": ("当地时间 {time} 在对方声明不便联系的时段 {start}–{end} 内",
                     "local time {time} is inside the time {start}–{end} the person said is inconvenient"),
    "connected_cap": ("今日已与该联系人接通 {count} 次电话，已达每日上限 {max} 次",
                      "{count} connected calls with this person today already reach the daily limit of {max}"),
    "unanswered_cap": ("号码 {number} 今日已有 {count} 次未接通呼叫，已达上限 {max} 次",
                       "{count} unanswered calls to {number} today already reach the limit of {max}"),
    "seven_in_seven": ("债务 {debt} 在截至今日的 {window} 天内已计 {count} 次呼叫，达到上限 {max} 次",
                       "{count} calls about debt {debt} in the {window} days ending today reach the limit of {max}"),
    "after_conversation": ("{date} 已就债务 {debt} 与对方通话，{until} 前不得再就该债务致电",
                           "a conversation about debt {debt} took place on {date}; no calls about it before {until}"),
    "recall": ("案件已于 {on} 退案（{reason}），委托方已收回，不得再就该案件联系任何人",
               "the case was recalled on {on} ({reason}): the creditor took it back, so no one may be contacted about it"),
    "source": ("该联系方式由委托方 {creditor} 提供（或由债务人就其他案件提供），本案委托方不能使用；双方委托方均允许共享时方可使用",
               "this contact detail was supplied by creditor {creditor} (or given by the debtor about another case); "
               "this case's creditor may not use it unless both creditors allow sharing"),
    "tp_purpose": ("第三方联系只允许用于查找债务人（location）",
                   "a third party may be contacted only to locate the debtor (purpose location)"),
    "tp_not_lost": ("债务人未处于失联状态，不得联系第三方",
                    "the debtor is not flagged as lost contact, so third parties may not be contacted"),
    "tp_refused": ("该第三方已要求不再被联系", "this third party asked not to be contacted"),
    "tp_once": ("已与该第三方进行过一次查找联系，不得再次联系",
                "a location contact with this third party already took place; only one is allowed"),
    "disclosure": ("发给第三方的内容不得透露债务（含“{term}”）",
                   "a message to a third party must not reveal the debt (it says \"{term}\")"),
    "content": ("内容含禁止用语“{term}”", "the message contains prohibited wording: \"{term}\""),
    "hold": ("债务 {debt} 处于{kind_zh}暂停期，仅可进行服务性联系",
             "debt {debt} is on a {kind_en} hold; only service contacts are allowed"),
    "cease": ("已要求停止通过{channel_zh}联系", "a request to stop contact by {channel} is in force"),
    "attorney": ("债务人已委托代理律师 {attorney}，只能联系代理律师",
                 "the debtor is represented by attorney {attorney}; contact the attorney only"),
    "deceased": ("联系对象已故", "the person addressed is deceased"),
    # house rules of the live gate (concord.compliance.live): not pack rules
    "qualification": ("催收员资质不全或已过期（{missing_zh}），不得进行催收联系",
                      "the collector's qualification is missing or lapsed ({missing_en}); no collection contact"),
    "content_check": ("内容含禁止内容：{summary_zh}", "the message contains prohibited content: {summary_en}"),
    "visit_agents": ("外访至少需要 {min} 名催收员，本次为 {agents} 名",
                     "a field visit needs at least {min} collectors; this one has {agents}"),
}
ALLOW_ZH = "允许联系：未触发任何合规规则。"
ALLOW_EN = "Contact allowed: no rule prevents it."


def _args(d: Denial) -> dict:
    a = dict(d.args)
    if "field" in a:
        a["field_zh"] = FIELD_ZH.get(a["field"], a["field"])
        en = FIELD_EN.get(a["field"], a["field"])
        a["field_en"] = en[:1].upper() + en[1:]
    if "kind" in a:
        a["kind_zh"] = HOLD_ZH.get(a["kind"], a["kind"])
        a["kind_en"] = HOLD_EN.get(a["kind"], a["kind"])
    if "channel" in a:
        a["channel_zh"] = CHANNEL_ZH.get(a["channel"], a["channel"])
        a["channel"] = a["channel"] or "any channel"
    if "attorney" in a and a["attorney"] is None:
        a["attorney"] = "(?)"
    if a.get("debt") is None and "debt" in a:
        a["debt"] = "*"
    return a


def sentence(d: Denial) -> tuple[str, str]:
    zh, en = MESSAGES[d.key]
    a = _args(d)
    return f"[{d.code}] " + zh.format(**a), f"[{d.code}] " + en.format(**a)


def explain(denials) -> tuple[str, str]:
    """The reason of a decision in Chinese and English."""
    if not denials:
        return ALLOW_ZH, ALLOW_EN
    parts = [sentence(d) for d in denials]
    return ("拒绝：" + "；".join(p[0] for p in parts) + "。",
            "Denied: " + "; ".join(p[1] for p in parts) + ".")
