"""Readable names of the audit trail's action codes (``creditor.add`` → 委托方 · 新增): the thing acted on (the code's
first one or two parts) and what was done (its last part). A code with a part not named here is shown as it is."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

NOUNS = {
    "account": _("借据"), "activity": _("催记"), "allocation": _("分案"), "allocation.bulk": _("批量作业"),
    "allocation.rules": _("分案规则"), "arrangement": _("还款方案"), "auth": _("登录"), "auth.token": _("API 令牌"),
    "case": _("案件"), "compliance": _("合规"), "compliance.complaint": _("投诉/争议"), "compliance.hold": _("暂停催收"),
    "compliance.pack": _("合规规则包"), "contact_point": _("联系方式"), "creditor": _("委托方"), "debtor": _("债务人"),
    "demo": _("演示数据"), "eod": _("日终运行"), "export": _("导出"), "import": _("导入"), "job": _("后台任务"), "legal": _("法律程序"),
    "legal.document": _("法律文书"), "legal.stage": _("法律程序阶段"), "message": _("消息"), "operations": _("运维"),
    "outreach": _("短信/邮件/信函"), "outreach.template": _("消息模板"), "payment": _("还款"), "pii": _("个人信息"),
    "placement": _("委案批次"), "portal": _("债务人门户"), "portal.payment": _("门户还款"), "portal.code": _("门户验证码"),
    "product": _("产品"), "promise": _("承诺还款"), "quality": _("质检"), "recording": _("录音"), "related_party": _("关联人"), "reports": _("报表"),
    "schedule": _("计划任务"), "script": _("话术"), "staff": _("员工"), "statement": _("对账单"), "task": _("任务"),
    "team": _("小组"), "telephony": _("电话系统"), "user": _("用户"), "visit": _("外访"),
}

VERBS = {
    "accrue": _("计息"), "open": _("开立"), "recall": _("退案"), "disposition": _("登记结果"), "purge": _("清除"),
    "apply": _("执行"), "request": _("申请"), "import": _("导入"), "save": _("保存"), "start": _("开始"), "activate": _("生效"),
    "hardship_review": _("困难评估"), "limit": _("审批权限"), "payments": _("还款"), "policy": _("政策"), "propose": _("提出"),
    "login": _("登录"), "login_failed": _("登录失败"), "logout": _("退出"), "issue": _("签发"), "revoke": _("吊销"),
    "assign": _("分配"), "claim": _("认领"), "recall_accounts": _("退回借据"), "release": _("解除"), "reopen": _("重新打开"),
    "status": _("状态变更"), "escalate": _("升级"), "resolve": _("办结"), "contact": _("联系"), "deadlines": _("办结期限"),
    "decide": _("闸门决定"), "export": _("导出"), "place": _("设置"), "inbound": _("来电/来信"), "override": _("覆盖"),
    "qualification": _("资质"), "add": _("新增"), "supplier": _("数据来源"), "sharing": _("共享设置"), "terms": _("条款"),
    "register": _("登记"), "update": _("修改"), "borrowers": _("借款人"), "day": _("日"), "placement": _("委案"),
    "fail": _("失败"), "replay": _("重放"), "run": _("运行"), "timing": _("耗时"), "activities": _("催记"), "cases": _("案件清单"),
    "delete": _("删除"), "cancel": _("取消"), "failed": _("失败"), "requeue": _("重新排队"), "acknowledgement": _("债务确认"),
    "close": _("结束"), "cost": _("费用"), "download": _("下载"), "upload": _("上传"), "enter": _("转入"), "complete": _("完成"),
    "mail": _("邮件"), "receipt": _("回执"), "send": _("发送"), "sender": _("发送方"), "approve": _("批准"), "retire": _("停用"),
    "overpayment": _("溢缴款"), "record": _("登记"), "reverse": _("冲正"), "reveal": _("查看完整信息"), "accounts": _("借据"),
    "create": _("创建"), "extend": _("延期"), "recall_selection": _("选择退案"), "retain": _("留案"), "return": _("退回"),
    "verified": _("验证通过"), "wrong": _("验证错误"), "file": _("提交"), "used": _("使用"), "lockout": _("锁定"),
    "duplicate": _("重复"), "posted": _("入账"), "refused": _("拒绝"), "preferences": _("偏好设置"), "reconcile": _("对账"),
    "signin": _("登录"), "play": _("播放"), "store": _("保存"), "target_set": _("设置回收目标"), "change": _("修改"),
    "password": _("修改密码"), "query": _("查询"), "remit": _("汇款"), "lead": _("组长"), "dial": _("拨号"), "event": _("事件"),
    "processed": _("已处理"), "placed": _("已接通"), "quality": _("质量"), "recording": _("录音"), "view": _("查看"),
    "report": _("登记结果"), "schedule": _("排期"),
    "sample": _("抽样"), "review": _("评分"), "checklist_set": _("修改质检清单"), "rubric_set": _("设定计分卡权重"),
}

#: An activity's code ends in its kind (``activity.promise``): named as the activity log names it.
VERBS.update({"call": _("电话"), "sms": _("短信"), "email": _("电子邮件"), "letter": _("信函"), "visit": _("外访"),
              "note": _("备注"), "task": _("跟进任务"), "promise": _("承诺还款"), "arrangement": _("还款方案"),
              "legal": _("法律程序"), "payment": _("还款"), "system": _("系统")})


def action_label(action: str) -> str:
    parts = action.split(".")
    two = ".".join(parts[:2])
    noun = NOUNS.get(two) if len(parts) > 2 and two in NOUNS else NOUNS.get(parts[0])
    verb = VERBS.get(parts[-1]) if len(parts) > 1 else None
    if noun is None or verb is None:
        return action
    return f"{noun} · {verb}"


def choices() -> list[tuple[str, str]]:
    """The object kinds a search can pick (the codes' first part), by their names."""
    return sorted(((k, str(v)) for k, v in NOUNS.items() if "." not in k), key=lambda c: c[1])
