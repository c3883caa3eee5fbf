"""Commission terms (佣金条款) and the commission on one payment. Pure: no Django.

Terms, as stored on a creditor (its default) or a placement batch (``commission_terms``), a mapping::

    {"buckets": {"M1": "0.12", "M2": "0.18", "M3+": "0.25"},   # rate by the account's bucket at placement
     "tiers": [["0", "0.10"], ["0.05", "0.15"], ["0.10", "0.20"]], # or: sliding by the batch's recovery rate
     "legal_rate": "0.30",        # recoveries of a case in the legal track
     "cap": "500.00",             # at most this commission on one payment
     "minimum": "5.00",           # at least this commission on one payment (when any rate applies)
     "direct_counts": true}       # payments made directly to the creditor earn commission

The older form, a plain ``{"M1": 0.12, …}``, is read as ``{"buckets": …}``. A bucket key ``"M3+"`` covers M3 and
every later bucket; an exact key (``"M4"``) wins over a ``+`` key.

Which rule sets a payment's rate, first match wins:

1. a payment made directly to the creditor, when the terms do not count those: no commission (``direct``);
2. a recovery of a case in the legal track, when the terms have a ``legal_rate`` (``legal``);
3. sliding tiers, when the terms have them: the rate of the highest tier whose threshold the batch's recovery
   rate (recovered ÷ balance placed, at the end of the statement period) reaches (``tier``);
4. the rate of the account's bucket at placement (``bucket``);
5. none of these: no commission (``none``).

Then the amount (payment × rate, half-up to the fen) is raised to ``minimum`` and lowered to ``cap`` — never above
the payment itself. The rule text names what set it, e.g. ``bucket M2 18%``, ``tier ≥10% 20% cap``.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0")
BUCKET_ORDER = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+")


class TermsError(ValueError):
    """Terms that cannot be read; ``args[0]`` says which part and why (in Chinese, the UI's language)."""


@dataclass(frozen=True)
class Terms:
    buckets: tuple[tuple[str, Decimal], ...] = ()
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()    # (threshold, rate), ascending
    legal_rate: Decimal | None = None
    cap: Decimal | None = None
    minimum: Decimal | None = None
    direct_counts: bool = False

    def bucket_rate(self, bucket: str) -> tuple[str, Decimal] | None:
        exact = dict(self.buckets)
        if bucket in exact:
            return bucket, exact[bucket]
        position = BUCKET_ORDER.index(bucket) if bucket in BUCKET_ORDER else -1
        best = None
        for key, rate in self.buckets:
            if key.endswith("+") and key != "M7+" and key[:-1] in BUCKET_ORDER:
                start = BUCKET_ORDER.index(key[:-1])
                if position >= start and (best is None or start > BUCKET_ORDER.index(best[0][:-1])):
                    best = (key, rate)
        return best

    def tier_for(self, recovery_rate: Decimal) -> tuple[Decimal, Decimal] | None:
        found = None
        for threshold, rate in self.tiers:
            if recovery_rate >= threshold:
                found = (threshold, rate)
        return found


def _decimal(value, what: str, *, rate: bool = False) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise TermsError(f"{what}：不是数字（{value}）")
    if not d.is_finite() or d < 0 or (rate and d > 1):
        raise TermsError(f"{what}：{'费率须在 0 到 1 之间' if rate else '不能为负数'}（{value}）")
    return d


def parse_terms(raw) -> Terms:
    """Terms from their stored form; :class:`TermsError` naming the bad part."""
    if raw is None or raw == {}:
        return Terms()
    if not isinstance(raw, dict):
        raise TermsError("佣金条款必须是一个映射")
    if raw and "buckets" not in raw and all(isinstance(k, str) and k[:1] == "M" for k in raw):
        raw = {"buckets": raw}
    unknown = set(raw) - {"buckets", "tiers", "legal_rate", "cap", "minimum", "direct_counts"}
    if unknown:
        raise TermsError("未知的条款项：" + "、".join(sorted(unknown)))
    buckets = []
    for key, rate in (raw.get("buckets") or {}).items():
        if key not in BUCKET_ORDER and not (key.endswith("+") and key[:-1] in BUCKET_ORDER):
            raise TermsError(f"未知账龄 {key}")
        buckets.append((key, _decimal(rate, f"账龄 {key} 的费率", rate=True)))
    tiers = []
    for i, tier in enumerate(raw.get("tiers") or [], start=1):
        if not isinstance(tier, (list, tuple)) or len(tier) != 2:
            raise TermsError(f"第 {i} 档：应为 [回收率门槛, 费率]")
        tiers.append((_decimal(tier[0], f"第 {i} 档的回收率门槛", rate=True),
                      _decimal(tier[1], f"第 {i} 档的费率", rate=True)))
    if [t for t, _r in tiers] != sorted({t for t, _r in tiers}):
        raise TermsError("各档的回收率门槛须从低到高且不重复")
    legal = raw.get("legal_rate")
    cap, minimum = raw.get("cap"), raw.get("minimum")
    terms = Terms(buckets=tuple(buckets), tiers=tuple(tiers),
                  legal_rate=None if legal in (None, "") else _decimal(legal, "法律程序回收费率", rate=True),
                  cap=None if cap in (None, "") else _decimal(cap, "单笔佣金上限"),
                  minimum=None if minimum in (None, "") else _decimal(minimum, "单笔佣金下限"),
                  direct_counts=bool(raw.get("direct_counts", False)))
    if terms.cap is not None and terms.minimum is not None and terms.minimum > terms.cap:
        raise TermsError("单笔佣金下限不能高于上限")
    return terms


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


@dataclass(frozen=True)
class Commission:
    amount: Decimal
    rate: Decimal
    rule: str


def commission(terms: Terms, *, amount: Decimal, bucket: str, legal: bool = False, direct: bool = False,
               recovery_rate: Decimal = ZERO) -> Commission:
    """The commission on one payment of ``amount`` (positive) under ``terms``; see the module's rule order."""
    if direct and not terms.direct_counts:
        return Commission(ZERO.quantize(FEN), ZERO, "direct")
    if legal and terms.legal_rate is not None:
        rate, rule = terms.legal_rate, f"legal {_pct(terms.legal_rate)}"
    elif terms.tiers and terms.tier_for(recovery_rate) is not None:
        threshold, rate = terms.tier_for(recovery_rate)
        rule = f"tier ≥{_pct(threshold)} {_pct(rate)}"
    elif terms.bucket_rate(bucket) is not None:
        key, rate = terms.bucket_rate(bucket)
        rule = f"bucket {key} {_pct(rate)}"
    else:
        return Commission(ZERO.quantize(FEN), ZERO, "none")
    value = (amount * rate).quantize(FEN, rounding=ROUND_HALF_UP)
    if terms.minimum is not None and value < terms.minimum:
        value, rule = min(terms.minimum, amount), rule + " minimum"
    if terms.cap is not None and value > terms.cap:
        value, rule = terms.cap, rule + " cap"
    return Commission(value.quantize(FEN), rate, rule)


def recovery_rate(recovered: Decimal, placed: Decimal) -> Decimal:
    """Recovered ÷ placed, to four places (0 when nothing was placed)."""
    if placed <= 0:
        return ZERO
    return (recovered / placed).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
