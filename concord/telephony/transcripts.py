"""Automatic checks on call transcripts. Pure: no Django.

A transcript is the call's segments ``(start, end, speaker, text)`` in seconds, ``speaker`` ``agent`` or
``customer``, as a transcriber gives them (``quality.Transcriber``). The checks:

* ``OPENING_ID`` — the collector identifies themself (name or company) within the opening;
* ``OPENING_RECORDING`` — the collector says the call is recorded within the opening;
* ``ID_BEFORE_DEBT`` — the person's identity is verified before any debt detail is spoken;
* ``CONTENT`` — what the collector says passes the prohibited-content checker (``compliance.content``);
* ``SILENCE`` — no silence longer than the limit while the call is up.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from concord.compliance import content

OPENING_SECONDS = 30.0
SILENCE_SECONDS = 10.0
SELF_ID = re.compile(r"我是.{0,12}(?:公司|工作人员|催收|客服|专员)|(?:公司|中心)的.{0,6}(?:工作人员|专员)|my name is|"
                     r"calling from", re.IGNORECASE)
RECORDING = re.compile(r"录音|recorded", re.IGNORECASE)
IDENTITY_ASK = re.compile(r"请问.{0,8}(?:本人|先生|女士|吗)|核实.{0,6}身份|身份证.{0,4}(?:后四位|号码)|"
                          r"are you|confirm your", re.IGNORECASE)
IDENTITY_YES = re.compile(r"^(?:是|对|嗯|我是|是的|是我)|yes|speaking", re.IGNORECASE)
DEBT = re.compile(r"欠款|逾期|还款|借款|欠费|账单|本金|利息|\d+(?:\.\d+)?\s*元|debt|overdue|owe", re.IGNORECASE)


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    speaker: str
    text: str


@dataclass(frozen=True)
class Flag:
    code: str
    at: float
    detail: str = ""


def check(segments: list[Segment], *, opening: float = OPENING_SECONDS,
          silence: float = SILENCE_SECONDS) -> list[Flag]:
    """The flags of one call's transcript, in time order; an empty list is a clean call."""
    segs = sorted(segments, key=lambda s: (s.start, s.end))
    agent = [s for s in segs if s.speaker == "agent"]
    flags: list[Flag] = []
    opening_text = " ".join(s.text for s in agent if s.start <= opening)
    if not SELF_ID.search(opening_text):
        flags.append(Flag("OPENING_ID", 0.0))
    if not RECORDING.search(opening_text):
        flags.append(Flag("OPENING_RECORDING", 0.0))
    verified_at = None
    for i, s in enumerate(segs):
        if s.speaker == "agent" and IDENTITY_ASK.search(s.text):
            reply = next((r for r in segs[i + 1:] if r.speaker == "customer"), None)
            if reply is not None and IDENTITY_YES.search(reply.text.strip()):
                verified_at = reply.end
                break
    first_debt = next((s for s in agent if DEBT.search(s.text)), None)
    if first_debt is not None and (verified_at is None or first_debt.start < verified_at):
        flags.append(Flag("ID_BEFORE_DEBT", first_debt.start, first_debt.text[:80]))
    for s in agent:
        for finding in content.check(s.text):
            flags.append(Flag("CONTENT", s.start, f"[{finding.rule}] {finding.matched}"))
    end = 0.0
    for s in segs:
        if end and s.start - end > silence:
            flags.append(Flag("SILENCE", end, f"{s.start - end:.0f}s"))
        end = max(end, s.end)
    return sorted(flags, key=lambda f: (f.at, f.code))
