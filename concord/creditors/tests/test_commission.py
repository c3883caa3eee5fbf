"""Commission on one payment, checked by hand (pure: no database)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from concord.creditors.commission import TermsError, commission, parse_terms, recovery_rate

BUCKETS = parse_terms({"buckets": {"M1": "0.12", "M2": "0.18", "M3+": "0.25"}})


@pytest.mark.parametrize("bucket, amount, expected, rule", [
    ("M1", "1000.00", "120.00", "bucket M1 12%"),
    ("M2", "333.33", "60.00", "bucket M2 18%"),        # 59.9994 → 60.00 (half-up to the fen)
    ("M3", "100.00", "25.00", "bucket M3+ 25%"),
    ("M7+", "100.00", "25.00", "bucket M3+ 25%"),       # M3+ covers every later bucket
    ("M0", "100.00", "0", "none"),
])
def test_rate_by_bucket_at_placement(bucket, amount, expected, rule):
    c = commission(BUCKETS, amount=D(amount), bucket=bucket)
    assert (c.amount, c.rule) == (D(expected), rule)


def test_an_exact_bucket_wins_over_a_plus_key():
    terms = parse_terms({"buckets": {"M3+": "0.25", "M5": "0.30"}})
    assert commission(terms, amount=D("100"), bucket="M5").amount == D("30.00")
    assert commission(terms, amount=D("100"), bucket="M6").amount == D("25.00")


def test_sliding_tiers_by_the_batch_recovery_rate():
    terms = parse_terms({"buckets": {"M1": "0.12"}, "tiers": [["0", "0.10"], ["0.05", "0.15"], ["0.10", "0.20"]]})
    assert commission(terms, amount=D("1000"), bucket="M1", recovery_rate=D("0.0499")).rule == "tier ≥0% 10%"
    c = commission(terms, amount=D("1000"), bucket="M1", recovery_rate=D("0.05"))
    assert (c.amount, c.rule) == (D("150.00"), "tier ≥5% 15%")
    assert commission(terms, amount=D("1000"), bucket="M1", recovery_rate=D("0.31")).amount == D("200.00")
    only_high = parse_terms({"buckets": {"M1": "0.12"}, "tiers": [["0.05", "0.15"]]})
    assert commission(only_high, amount=D("1000"), bucket="M1", recovery_rate=D("0.01")).rule == "bucket M1 12%"


def test_cap_and_minimum_per_payment():
    terms = parse_terms({"buckets": {"M1": "0.12"}, "cap": "500", "minimum": "5"})
    assert commission(terms, amount=D("5000"), bucket="M1") == commission(terms, amount=D("4200"), bucket="M1")
    c = commission(terms, amount=D("5000"), bucket="M1")
    assert (c.amount, c.rule) == (D("500"), "bucket M1 12% cap")
    c = commission(terms, amount=D("20"), bucket="M1")        # 2.40 → raised to 5.00
    assert (c.amount, c.rule) == (D("5"), "bucket M1 12% minimum")
    assert commission(terms, amount=D("3"), bucket="M1").amount == D("3")  # never above the payment


def test_legal_track_rate_and_direct_payments():
    terms = parse_terms({"buckets": {"M2": "0.18"}, "legal_rate": "0.30"})
    c = commission(terms, amount=D("200"), bucket="M2", legal=True)
    assert (c.amount, c.rule) == (D("60.00"), "legal 30%")
    assert commission(terms, amount=D("200"), bucket="M2", direct=True).rule == "direct"
    counting = parse_terms({"buckets": {"M2": "0.18"}, "direct_counts": True})
    assert commission(counting, amount=D("200"), bucket="M2", direct=True).amount == D("36.00")


def test_the_older_plain_form_is_read_as_bucket_rates():
    assert commission(parse_terms({"M1": 0.12, "M7+": 0.3}), amount=D("10"), bucket="M7+").amount == D("3.00")


@pytest.mark.parametrize("raw, says", [
    ({"buckets": {"M9": "0.1"}}, "M9"), ({"buckets": {"M1": "1.5"}}, "0 到 1"), ({"buckets": {"M1": "x"}}, "不是数字"),
    ({"tiers": [["0.1", "0.2"], ["0.05", "0.3"]]}, "从低到高"), ({"cap": "5", "minimum": "10"}, "下限"),
    ({"foo": 1}, "未知"), ([1], "映射"),
])
def test_bad_terms_say_what_is_wrong(raw, says):
    with pytest.raises(TermsError, match=says):
        parse_terms(raw)


def test_recovery_rate():
    assert recovery_rate(D("1000"), D("20000")) == D("0.0500")
    assert recovery_rate(D("1"), D("0")) == 0
