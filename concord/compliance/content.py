"""Prohibited-content checker for templates, SMS / e-mail text and collector notes, Chinese and English. Pure.

    findings = check(text, third_party=False)   # [Finding(category, rule, matched, start, end)]

Categories (RULES.md CN8, CN3/CN7, CN14; Regulation F 1006.14, 1006.18, 1006.10): threats of violence or arrest,
impersonating police, courts or government, fake blacklists and exaggerated legal consequences, insults,
contact-list blasting (爆通讯录) and public shaming, extra fees, pushing new borrowing, and — only for a message to
a third party — any disclosure of the debt. Truthful statements of lawful steps (“依法向人民法院提起诉讼”,
“逾期记录将依法报送征信系统”, “we may file a lawsuit”) are not findings.

The text is normalised first (NFKC: full-width letters and digits become ASCII; spaces, dots and dashes between
Chinese characters are removed, so “爆 通 讯 录” is caught). Each finding gives the offending text as written.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .rules.content import compile_terms

CATEGORIES: dict[str, tuple[str, str, str]] = {
    # category: (rule code, title zh, title en)
    "threat": ("CN8", "暴力或人身威胁", "threat of violence or arrest"),
    "impersonation": ("CN8", "冒充公检法或政府机关", "impersonating police, courts or government"),
    "exaggeration": ("CN8", "虚假黑名单或夸大法律后果", "fake blacklist or exaggerated legal consequences"),
    "insult": ("CN8", "侮辱谩骂", "insult or abuse"),
    "blasting": ("CN8", "爆通讯录、骚扰或公开曝光", "contact-list blasting or public shaming"),
    "fees": ("CN8", "收取额外费用", "demanding extra fees"),
    "borrowing": ("CN8", "诱导借新还旧", "pushing new borrowing"),
    "disclosure": ("CN3/CN7", "向第三方透露债务", "revealing the debt to a third party"),
}

_FAMILY_ZH = r"(?:家人|家里人|父母|爸妈|老婆|老公|妻子|丈夫|孩子|子女|亲戚|亲友|朋友|同事|领导|老板|单位|公司|邻居|通讯录好友)"
_FAMILY_EN = r"(?:family|relatives|parents|wife|husband|spouse|kids|children|friends|neighbou?rs|co-?workers|colleagues|boss|employer|manager|contacts)"

ZH: dict[str, list[str]] = {
    "threat": [r"打死", r"弄死", r"砍死", r"砍你", r"杀了你", r"杀你全家", r"废了你", r"卸你.{0,2}腿", r"打断你",
               r"让你好看", r"后果自负", r"走着瞧", r"小心你的?" + _FAMILY_ZH, r"人身安全", r"上门堵", r"堵你",
               r"抓你", r"抓人", r"派人.{0,4}(?:找|抓|堵)你", r"出门小心", r"晚上小心", r"弄残",
               r"不得好死", r"让你全家"],
    "impersonation": [r"(?:我|我们)(?:是|系|为|就是)?.{0,3}(?:法院|公安|警察|警官|检察院|法官|政府|网警|经侦)",
                      r"法院工作人员", r"公安局", r"派出所", r"警方", r"公安机关", r"检察院", r"网警", r"经侦",
                      r"法院执行局(?:通知|已)", r"司法专员", r"政府专员", r"法务部门?传票", r"传票已(?:送达|发出)"],
    "exaggeration": [r"黑名单", r"拉黑", r"坐牢", r"判刑", r"蹲监狱", r"进监狱", r"刑事拘留", r"拘留", r"逮捕",
                     r"拘捕", r"通缉", r"刑事责任", r"立案侦查", r"(?:冻结|查封)(?:你|您)?的?(?:所有|全部)",
                     r"(?:今天|明天|马上|立即|立刻)(?:就)?(?:起诉|强制执行|冻结|查封|上门)",
                     r"影响.{0,4}(?:子女|孩子|三代).{0,6}(?:上学|入学|考公|政审|工作)",
                     r"(?:子女|孩子).{0,4}(?:政审|考公).{0,4}(?:不通过|受影响)", r"三代.{0,4}(?:受影响|不能)",
                     r"(?:全国|所有)(?:银行|平台).{0,4}(?:封杀|拉黑|禁止)", r"终身(?:不能|无法)(?:贷款|坐(?:高铁|飞机))"],
    "insult": [r"老赖", r"骗子", r"畜生", r"去死", r"不要脸", r"废物", r"王八蛋", r"狗东西", r"人渣", r"垃圾人",
               r"死全家", r"白眼狼", r"贱人", r"混蛋", r"傻[逼比Bb]", r"脑残", r"滚蛋", r"丢人现眼", r"没出息的东西"],
    "blasting": [r"爆通讯录", r"通讯录", r"爆你", r"(?:通知|告诉|打给|联系|找|发给|群发给?|打电话给)(?:你|您)(?:的)?(?:所有)?"
                 + _FAMILY_ZH, r"群发", r"挨个(?:打|通知)", r"曝光", r"公示", r"张贴", r"大字报", r"发(?:到|在)(?:朋友圈|群里|网上)",
                 r"(?:全村|全小区|全公司)(?:都)?(?:知道|通知)", r"上门(?:到|去)(?:你的?)?(?:单位|公司|老家)"],
    "fees": [r"上门费", r"催收费", r"外访费", r"加急费", r"处理费", r"手续费(?:另计|另收|由你承担)", r"(?:额外|另外|另行)(?:收取|缴纳|支付|加收).{0,6}费",
             r"加收.{0,6}(?:费|钱)", r"(?:违约金|罚息)翻倍", r"私人(?:账户|微信|支付宝)(?:还款|转账)", r"转到我(?:个人|私人)"],
    "borrowing": [r"以贷养贷", r"借新还旧", r"撸口子", r"套现", r"(?:去|再)(?:找|向)?(?:别的|其他)?(?:平台|网贷).{0,3}借",
                  r"借(?:钱|款)?来还", r"找(?:亲戚|朋友|家人)借(?:钱)?(?:来)?还", r"刷信用卡还", r"申请(?:新的)?贷款(?:来)?还"],
}

EN: dict[str, list[str]] = {
    "threat": [r"kill you", r"hurt you", r"break your \w+", r"beat you", r"you(?:'ll| will) regret", r"watch your back",
               r"we know where you live", r"(?:send|sending) (?:someone|people|our (?:men|guys)) (?:to|round)",
               r"something (?:bad )?(?:will|might) happen to (?:you|your)", r"your (?:family|kids|children)(?:'s)? safety",
               r"come after you", r"(?:have|get) you arrested", r"arrest(?:ed)?", r"(?:go|send you) to (?:jail|prison)",
               r"jail", r"prison", r"handcuff\w*"],
    "impersonation": [r"(?:this is|we are|i am|i'm|calling from) (?:the )?(?:police|sheriff|court|fbi|irs|government|"
                      r"department of justice|district attorney|federal agent|law enforcement)",
                      r"police (?:officer|department)", r"court officer", r"officer of the court", r"federal agent",
                      r"law enforcement", r"sheriff", r"warrant", r"summons (?:has been|was) issued"],
    "exaggeration": [r"blacklist\w*", r"criminal (?:charges?|record|case|prosecution|investigation)",
                     r"(?:seize|take) your (?:house|home|car|property|wages|salary)(?: today| tomorrow| now)?",
                     r"freeze (?:all )?your (?:bank )?accounts?", r"(?:file|sue|lawsuit)\w* (?:today|tomorrow|immediately) unless",
                     r"never (?:be able to )?(?:get|obtain) (?:a |any )?(?:loan|credit|job|mortgage) again",
                     r"ruin your (?:life|career|credit forever)", r"(?:deport|deportation)"],
    "insult": [r"idiot", r"stupid", r"deadbeat", r"loser", r"scum\w*", r"liar", r"thief", r"moron", r"worthless",
               r"pathetic", r"bitch", r"bastard", r"f+u+c+k\w*", r"shameless", r"piece of (?:shit|trash|garbage)", r"lowlife"],
    "blasting": [r"(?:call|text|tell|inform|contact|notify|message|email) (?:all )?(?:of )?your " + _FAMILY_EN,
                 r"everyone (?:in your|you) (?:contacts?|know)", r"(?:your )?(?:contact list|phone ?book|address book)",
                 r"post (?:it |this )?(?:on|to) (?:facebook|social media|your (?:wall|feed))", r"(?:publicly )?shame you",
                 r"(?:let|make) (?:everyone|the whole \w+) know", r"(?:your|the) neighbou?rs will (?:know|hear)"],
    "fees": [r"collection fee", r"processing fee", r"(?:extra|additional|handling|visit|service|admin(?:istration)?) (?:fee|charge)s?",
             r"pay (?:it )?(?:to|into) my (?:personal|private) account", r"double (?:the )?(?:interest|penalty|late fee)"],
    "borrowing": [r"(?:take out|apply for|get) (?:another|a new) (?:loan|credit card|payday loan)", r"payday loan",
                  r"borrow (?:the )?(?:money |it )?from (?:your )?(?:friends|family|relatives|another lender|someone)",
                  r"use (?:another|a new) credit card to pay", r"cash advance to pay"],
}

# The closed list of words that reveal a debt to a third party (shared/compliance/SCENARIOS.md, "Third parties"):
# Chinese anywhere in the text; English as whole words and their plurals, ``*`` a prefix ("borrow*": borrower,
# borrowing …); and ``AMOUNT``, an amount of money (500元, 5.43万, $200, RMB 300). Nothing else is a disclosure.
# The packs' third-party disclosure rules carry the same list (a test keeps them equal).
DISCLOSURE_ZH = ["欠", "债", "贷", "逾期", "还款", "还钱", "偿还", "清偿", "结清", "催收", "催款", "催缴", "借款", "借钱", "借贷",
                 "账单", "分期", "信用卡", "违约", "罚息", "本金", "利息", "额度", "征信", "透支", "诉讼", "起诉", "律师函",
                 "法院"]
DISCLOSURE_EN = ["debt", "arrears", "overdue", "past due", "owe", "owed", "owes", "owing", "repay", "repaid", "repays",
                 "repaying", "repayment", "unpaid", "pay", "paid", "paying", "payment", "borrow*", "loan", "lend*",
                 "collect*", "balance", "delinquen*", "default*", "credit*", "bill", "billing", "invoice*", "instalment",
                 "installment", "lawsuit", "sue", "sued", "court"]
DISCLOSURE_TERMS = DISCLOSURE_ZH + DISCLOSURE_EN

# Lawful statements that contain a listed word: the match is ignored when it lies inside one of these.
SAFE = [
    r"依法(?:向(?:有管辖权的)?人民法院)?(?:提起|提出)?(?:诉讼|起诉)", r"(?:报送|上报|纳入)(?:中国人民银行)?(?:金融)?信用信息基础数据库",
    r"(?:不会|绝不|从不|不得|禁止)(?:会)?(?:联系|通知|告知|打扰)(?:您|你)的?" + _FAMILY_ZH,
    r"(?:won't|will not|never|do not|don't) (?:call|contact|tell|inform|notify) (?:any of )?your " + _FAMILY_EN,
    r"(?:may|might|can) (?:file|bring) a (?:civil )?lawsuit",
    r"(?:no|without any?) (?:extra|additional|hidden) (?:fees?|charges?)", r"不(?:收取|加收)任何(?:额外)?费用",
    r"(?:we are|this is) (?:a|an) (?:debt collector|collection agency)",
    r"(?:fraud|scam) (?:warning|alert)", r"谨防(?:诈骗|冒充)", r"(?:冒充|假冒)(?:公检法|警察|法院).{0,6}(?:诈骗|骗局)",
    r"(?:通讯录|contact list).{0,10}(?:不会|绝不|never|not)",
    r"(?:拒绝|请勿|切勿|不要)(?:以贷养贷|借新还旧)", r"(?:avoid|do not take) (?:a )?payday loans?",
]


@dataclass(frozen=True, slots=True)
class Finding:
    category: str
    rule: str          # the rule code (RULES.md)
    matched: str       # the offending text as written
    start: int
    end: int

    @property
    def title_zh(self) -> str:
        return CATEGORIES[self.category][1]

    @property
    def title_en(self) -> str:
        return CATEGORIES[self.category][2]


def _compile(zh: list[str], en: list[str]) -> re.Pattern:
    parts = [f"(?:{p})" for p in zh] + [rf"(?<![A-Za-z]){p}(?![A-Za-z])" for p in en]
    return re.compile("|".join(parts), re.IGNORECASE)


PATTERNS = {cat: _compile(ZH.get(cat, []), EN.get(cat, [])) for cat in CATEGORIES if cat != "disclosure"}
DISCLOSURE = compile_terms(DISCLOSURE_TERMS, plurals=True, amounts=True)
SAFE_RE = _compile(SAFE, [])
_GAP = re.compile(r"(?<=[\u4e00-\u9fff])[\s\.\-_·*、]+(?=[\u4e00-\u9fff])")


def normalise(text: str) -> tuple[str, list[int]]:
    """The text to match (NFKC, gaps between Chinese characters removed) and, per character, its index in the
    original text, so that a finding reports what was written."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch)
        for c in norm:
            out.append(c)
            where.append(i)
    joined = "".join(out)
    keep = [True] * len(joined)
    for m in _GAP.finditer(joined):
        for k in range(m.start(), m.end()):
            keep[k] = False
    text2 = "".join(c for c, k in zip(joined, keep) if k)
    index = [w for w, k in zip(where, keep) if k]
    return text2, index


def check(text: str | None, *, third_party: bool = False) -> list[Finding]:
    """Every finding in ``text`` (a template, a message, a note), in order of appearance, one per matched span.
    ``third_party``: the text goes to someone other than the debtor (or a guarantor), so the debt must not be
    mentioned at all."""
    if not text:
        return []
    norm, index = normalise(text)
    safe = [(m.start(), m.end()) for m in SAFE_RE.finditer(norm)]

    def inside_safe(a: int, b: int) -> bool:
        return any(s <= a and b <= e for s, e in safe)

    found: list[Finding] = []
    cats = list(PATTERNS.items()) + ([("disclosure", DISCLOSURE)] if third_party else [])
    for category, pattern in cats:
        for m in pattern.finditer(norm):
            if m.end() == m.start() or (category != "disclosure" and inside_safe(m.start(), m.end())):
                continue
            a, b = index[m.start()], index[m.end() - 1] + 1
            found.append(Finding(category, CATEGORIES[category][0], text[a:b], a, b))
    found.sort(key=lambda f: (f.start, f.category))
    return found


def summary(findings: list[Finding], locale: str = "zh") -> str:
    """One line naming each finding's rule and the matched text."""
    zh = locale.lower().startswith("zh")
    return "；".join(f"[{f.rule}] {f.title_zh if zh else f.title_en}: “{f.matched}”" for f in findings) if zh else \
        "; ".join(f"[{f.rule}] {f.title_en}: \"{f.matched}\"" for f in findings)
