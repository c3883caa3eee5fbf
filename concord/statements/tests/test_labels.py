"""The commission rule of a statement line, read in the reader's language."""
import pytest
from django.utils import translation

from concord.statements.labels import rule_label


@pytest.mark.parametrize("rule, zh, en", [
    ("bucket M1 12%", "委案账龄 M1 费率 12%", "Bucket at placement M1, rate 12%"),
    ("bucket M3+ 25% cap", "委案账龄 M3+ 费率 25%（封顶）", "Bucket at placement M3+, rate 25% (capped)"),
    ("tier ≥10% 20% minimum", "回收率≥10% 档 20%（保底）", "Recovery tier ≥10%, rate 20% (minimum applied)"),
    ("legal 30% minimum cap", "诉讼回收 30%（保底）（封顶）",
     "Legal recovery 30% (minimum applied) (capped)"),
    ("not placed", "不在委案期内，不计佣", "Outside the placement period: no commission"),
    ("direct", "委托方直收，不计佣", "Paid directly to the creditor: no commission"),
    ("something new", "something new", "something new"),          # an unknown rule is shown as stored
])
def test_rules_read_in_both_languages(rule, zh, en):
    with translation.override("zh-hans"):
        assert rule_label(rule) == zh
    with translation.override("en"):
        assert rule_label(rule) == en
