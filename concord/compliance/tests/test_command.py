"""``concord compliance replay`` and ``concord compliance packs``."""
from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
CONCORD = Path(sys.executable).parent / "concord"


def run(*args) -> str:
    out = StringIO()
    call_command("compliance", *args, stdout=out)
    return out.getvalue()


def test_replay_prints_one_json_object_per_check():
    lines = run("replay", str(SCENARIOS / "example_us_7in7.json")).splitlines()
    assert [json.loads(x) for x in lines] == [
        {"check": 0, "decision": "deny", "rules": ["US4"],
         "reason": "Denied: [US4] 7 calls about debt D1 in the 7 days ending today reach the limit of 7."},
        {"check": 1, "decision": "allow", "rules": [], "reason": "Contact allowed: no rule prevents it."},
        {"check": 2, "decision": "allow", "rules": [], "reason": "Contact allowed: no rule prevents it."},
    ]


def test_replay_reason_in_chinese_by_default_for_cn_packs():
    lines = [json.loads(x) for x in run("replay", str(SCENARIOS / "example_cn_quiet_hours.json")).splitlines()]
    assert [x["decision"] for x in lines] == ["allow", "deny", "deny"]
    assert lines[1]["rules"] == ["CN1"] and "22:30:00" in lines[1]["reason"] and "允许联系的时段" in lines[1]["reason"]


@pytest.mark.parametrize("content,message", [
    ('{"policy": "cn_bank", "checks": [{"at": "2026-06-01T10:00:00+08:00", "request": {"channel": "fax"}}]}',
     'checks[0].request.channel: unknown channel "fax"'),
    ("{not json", "(file): not valid JSON"),
    ('{"policy": "cn_bank"}', "checks: required"),
])
def test_malformed_file_exits_with_status_2(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as err:
        run("replay", str(path))
    assert err.value.returncode == 2
    assert str(err.value).startswith(message)


def test_missing_file_exits_with_status_2(tmp_path):
    with pytest.raises(CommandError) as err:
        run("replay", str(tmp_path / "nope.json"))
    assert err.value.returncode == 2 and "cannot read the file" in str(err.value)


def test_command_line_exit_status_and_one_error_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"policy": "us_reg_f", "checks": [{"at": "2026-06-01T10:00:00", "request": {}}]}')
    proc = subprocess.run([str(CONCORD), "compliance", "replay", str(bad)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        'CommandError: checks[0].at: the time needs an offset (e.g. +08:00 or Z): "2026-06-01T10:00:00"']
    good = subprocess.run([str(CONCORD), "compliance", "replay", str(SCENARIOS / "example_cn_connected_cap.json")],
                          capture_output=True, text=True, timeout=60)
    assert good.returncode == 0
    assert [json.loads(x)["decision"] for x in good.stdout.splitlines()] == ["allow"] * 3 + ["deny", "allow"]


def test_packs_lists_rules_with_source_and_confidence():
    text = run("packs")
    for name in ("cn_online_lending", "cn_bank", "us_reg_f", "uk_conc"):
        assert name in text
    assert "CN2      S*" in text                      # secondary source marked
    assert "US1      P " in text
    assert "source: 12 CFR 1006 (Regulation F) §1006.6(b)(1)" in text
    assert "S/U*" in text                              # CN13
    data = json.loads(run("packs", "--json"))
    assert [p["pack"] for p in data] == ["cn_online_lending", "cn_bank", "us_reg_f", "uk_conc"]
    cn2 = next(r for r in data[0]["rules"] if r["code"] == "CN2")
    assert cn2["uncertain"] and cn2["params"]["max"] == 3 and cn2["effective"] == "2025-02-28"
