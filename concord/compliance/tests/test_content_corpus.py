"""The prohibited-content checker against the corpora under corpus/: detection rate and false-positive rate."""
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concord.compliance.content import CATEGORIES, check, summary

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def load(name):
    return [json.loads(line) for line in (CORPUS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


FORBIDDEN = load("forbidden.jsonl")
ACCEPTABLE = load("acceptable.jsonl")


def test_corpus_sizes_and_languages():
    assert len(FORBIDDEN) >= 60 and len(ACCEPTABLE) >= 60
    for corpus in (FORBIDDEN, ACCEPTABLE):
        assert {r["lang"] for r in corpus} == {"zh", "en"}
    assert {r["expect"] for r in FORBIDDEN} == set(CATEGORIES)


def test_detection_and_false_positive_rates(capsys):
    missed = [r["text"] for r in FORBIDDEN
              if r["expect"] not in {f.category for f in check(r["text"], third_party=r.get("third_party", False))}]
    flagged = [(r["text"], summary(check(r["text"], third_party=r.get("third_party", False)), "en"))
               for r in ACCEPTABLE if check(r["text"], third_party=r.get("third_party", False))]
    detection = 1 - len(missed) / len(FORBIDDEN)
    fp_rate = len(flagged) / len(ACCEPTABLE)
    with capsys.disabled():
        print(f"\ncontent checker: detection {detection:.1%} ({len(FORBIDDEN) - len(missed)}/{len(FORBIDDEN)}), "
              f"false positives {fp_rate:.1%} ({len(flagged)}/{len(ACCEPTABLE)})")
    assert detection >= 0.95, missed
    assert fp_rate <= 0.05, flagged


@pytest.mark.parametrize("row", FORBIDDEN, ids=lambda r: r["text"][:20])
def test_each_finding_names_rule_and_text(row):
    findings = check(row["text"], third_party=row.get("third_party", False))
    assert findings
    for f in findings:
        assert f.rule in ("CN8", "CN3/CN7")
        assert f.matched and row["text"][f.start:f.end] == f.matched


def test_spaced_and_full_width_evasions():
    assert check("爆 通 讯 录")[0].matched == "爆 通 讯 录"
    assert check("我们会通知你的家人")[0].category == "blasting"
    assert check("ＪＡＩＬ")[0].category == "threat"


def test_truthful_legal_steps_pass():
    for text in ("如仍未还款，我司将依法向人民法院提起诉讼。", "逾期记录将依法报送中国人民银行金融信用信息基础数据库。",
                 "If unpaid, we may file a lawsuit in the county court.", "我们不会联系您的家人或同事。"):
        assert check(text) == [], text


def test_disclosure_only_for_third_parties():
    text = "您的贷款已逾期，请尽快还款"
    assert check(text) == []
    assert {f.category for f in check(text, third_party=True)} == {"disclosure"}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_checker_never_crashes_and_spans_are_exact(text):
    for f in check(text, third_party=True):
        assert text[f.start:f.end] == f.matched
