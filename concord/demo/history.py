"""Sixty days of a collections floor, simulated day by day in memory: who was called and when, what the gate
decided, what the debtor said, the promises to pay and the payments that kept them (or not), the follow-up tasks, and
every night's close of the ledger.

* **Contacts** go through the compliance gate's own evaluation: each planned call or SMS is a ``Request`` evaluated
  by ``compliance.live.evaluate_live`` (the pure ``gate.evaluate`` under the creditor's pack, plus the house rules:
  the collector's qualifications, the content check of the message text) against the person's ``History``, to
  which every contact made is added. An allowed request becomes a decision, a ledger row (``ContactAttempt``) and an
  activity (催记); a denied one is kept as a denied decision and nothing is dialled or sent — as in the live system.
  Collectors dial from 09:00 to 20:30 (weekends until 15:00) in the debtor's time zone, at most three attempts a
  session and two sessions a day per person, so the packs' hours and daily caps are met by construction and checked
  by the gate all the same (``tests/test_history.py`` replays every contact through the gate again).
* **Promises** follow ``record_promise``'s limits (amount up to the balance, date within the product's days) and
  are resolved by the payments on the case's accounts in their window, with ``promise_status`` (kept, partially
  kept, broken); the morning after the window closes the broken ones come back to the collector first.
* **Payments** are allocated through the ledger's own math (``ledger.pay``: the waterfall, the oldest instalments
  first) on the balances of the previous night's close.
* **Nights**: ``close_day`` replays the end-of-day run's allocation (a case whose team no longer works its bucket
  moves to the team that does, to its least loaded member) and summarises the day as the run does (buckets, roll
  rates, promises, moves). The ledger's accrual of those nights is ``ledger.close_through``. The last nights are
  real engine runs (``concord.demo.portfolio``): this module then follows the database.

Everything random comes from ``random.Random("concord-history-<seed>")``, so the same book gives the same history.
No database access: the records point at the in-memory book, and ``concord.demo.writer`` writes them.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import ROUND_DOWN, Decimal

from concord.compliance import live
from concord.compliance.history import History
from concord.compliance.model import ContactEvent, Request, StateEvent, to_us
from concord.loans.models import PaymentChannel

from . import ledger, nights, staffing, work
from .book import CaseRec
from .records import (SHANGHAI, ZERO, Contact, Journal, MoveRec, PaymentRec, Person, Planned, PromiseRec, TaskRec,
                      Work, clock_at)

CENT = Decimal("0.01")
ACTIVE = ("new", "open", "on_hold")
CHANNELS = [PaymentChannel.ALIPAY, PaymentChannel.WECHAT_PAY, PaymentChannel.BANK_TRANSFER, PaymentChannel.UNIONPAY,
            PaymentChannel.DEDUCTION, PaymentChannel.CASH]
CHANNEL_WEIGHTS = [30, 25, 20, 10, 10, 5]
CHANNEL_PREFIX = {PaymentChannel.ALIPAY: "ALI", PaymentChannel.WECHAT_PAY: "WX", PaymentChannel.BANK_TRANSFER: "BT",
                  PaymentChannel.UNIONPAY: "UP", PaymentChannel.DEDUCTION: "DK", PaymentChannel.CASH: "CASH"}
DAY_START, LUNCH, AFTER_LUNCH = dt.time(9, 0), dt.time(12, 0), dt.time(13, 30)
DAY_END, WEEKEND_END = dt.time(20, 30), dt.time(15, 0)
RELATION_OF_ROLE = live.RELATION_OF_ROLE
NOTES = {
    "promise": "债务人同意按约定日期还款，已告知官方还款渠道",
    "refusal": "债务人表示暂无还款意愿，已如实告知逾期对个人征信的影响",
    "hardship": "债务人称近期收入下降，生活困难，希望协商还款方案",
    "callback": "债务人不方便接听，约定稍后回电",
    "already_paid": "债务人称已经还款，需核实到账情况",
    "": "已核实本人身份，告知欠款金额及官方还款渠道",
    "third_party": "接听人表示会转告本人尽快回电",
}


class Simulator:
    """The floor's days, one at a time: :meth:`place` the day's batches, :meth:`run_day`, :meth:`close_day`."""

    def __init__(self, *, seed: int, as_of: dt.date, cases: list[CaseRec], staff, packs: dict, sms: dict,
                 senders: dict, qualifications: dict):
        self.rng = random.Random(f"concord-history-{seed}")
        self.as_of, self.cases, self.staff = as_of, cases, staff
        self.packs, self.sms, self.senders, self.quals = packs, sms, senders, qualifications
        self.people: dict[int, Person] = {}
        self.tokens: dict[str, str] = {}
        self.masks: dict[str, str] = {}
        self.planned: dict[dt.date, list[Planned]] = defaultdict(list)
        self.promises: list[PromiseRec] = []
        self.open_tasks: list[TaskRec] = []
        self.payment_seq = 0
        self.held: list[CaseRec] = []  # placed so far
        self.eod_bucket: dict[int, str] = {}  # account id() → bucket at the last close
        self.oldest: dict[int, dt.date | None] = {}  # account id() → oldest unsettled due date
        self.load = Counter()  # collector pk → active cases
        self.last_move: dict[int, MoveRec] = {}  # case index → its open assignment
        self.joining: dict[dt.date, list[ledger.Account]] = defaultdict(list)
        for case in cases:
            for account in case.accounts:
                if account.placed_on > case.placed_on:
                    self.joining[account.placed_on].append(account)

    # --- people -----------------------------------------------------------------------------------------------
    def person(self, case: CaseRec) -> Person:
        b = case.borrower
        p = self.people.get(b.index)
        if p is None:
            parties = [(f"R{row['pk']}", row) for row in b.parties if row["phone"]]
            events = []
            since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
            if b.lost:
                events.append(StateEvent(since, to_us(since), "lost_contact", party=live.DEBTOR_KEY))
            if b.deceased:
                events.append(StateEvent(since, to_us(since), "deceased", party=live.DEBTOR_KEY))
            relations = {key: RELATION_OF_ROLE.get(row["role"], "friend") for key, row in parties}
            payer = self.rng.random() < 0.45
            p = Person(History(live.DEBTOR_KEY, SHANGHAI, relations, events),
                       answer=self.rng.uniform(0.18, 0.6),
                       propensity=self.rng.uniform(0.55, 0.95) if payer else self.rng.uniform(0.02, 0.4),
                       parties=parties)
            self.people[b.index] = p
        return p

    def token(self, number: str) -> str:
        t = self.tokens.get(number)
        if t is None:
            t = self.tokens[number] = live.number_token(number)
        return t

    def masked(self, number: str) -> str:
        m = self.masks.get(number)
        if m is None:
            m = self.masks[number] = live.masked(number)
        return m

    # --- placements and allocation -----------------------------------------------------------------------------
    def place(self, cases: list[CaseRec], day: dt.date, *, assign: bool) -> list[MoveRec]:
        """Cases of the day's batches join the floor; before the engine takes over, the seeder allocates them at
        09:30 as a lead would (the team for their bucket, a field agent for a late case with assets, the least
        loaded member)."""
        moves = []
        for case in cases:
            case.refresh(day)
            case.work = Work(next_contact=day, held=case.accounts_on(day))
            self.held.append(case)
            for account in case.work.held:
                self.oldest[id(account)] = account.oldest_unsettled_due()
            if case.borrower.deceased:
                case.status = "on_hold"
            if assign:
                team = staffing.TEAM_FOR_BUCKET[case.bucket]
                if case.borrower.has_assets and case.bucket in ("M4", "M5", "M6", "M7+") and case.visit_draw < 0.25:
                    team = staffing.FIELD
                moves.append(self.assign(case, team, "演示数据：按账龄分案", clock_at(day, dt.time(9, 30))))
        return moves

    def join_accounts(self, day: dt.date) -> None:
        """Accounts placed on ``day`` into cases already on the floor (a creditor's later batch)."""
        for account in self.joining.get(day, ()):
            case = account.case
            case.work.held.append(account)
            self.oldest[id(account)] = account.oldest_unsettled_due()
            case.refresh(day)
            if case.status == "settled" and account.status == ledger.OPEN:  # refresh_case_summary reopens it
                case.status, case.closed_on = "open", None

    def assign(self, case: CaseRec, team_name: str, reason: str, at: dt.datetime) -> MoveRec:
        role = "field_agent" if team_name == staffing.FIELD else "collector"
        members = self.staff.members(team_name, role)
        collector = min(members, key=lambda u: (self.load[u.pk], u.username))
        if case.collector is not None:
            self.load[case.collector.pk] -= 1
        self.load[collector.pk] += 1
        case.team, case.collector, case.assigned_on = self.staff.teams[team_name], collector, at.date()
        if case.status == "new":
            case.status = "open"
        move = MoveRec(case, case.team, collector, reason, at)
        previous = self.last_move.get(case.index)
        if previous is not None:
            previous.ended_at = at
        self.last_move[case.index] = move
        return move

    def follow(self, case: CaseRec, team, collector, status: str) -> None:
        """The database's allocation after a real end-of-day run."""
        if case.collector is not None:
            self.load[case.collector.pk] -= 1
        if collector is not None:
            self.load[collector.pk] += 1
        case.team, case.collector, case.status = team, collector, status

    # --- the day ----------------------------------------------------------------------------------------------
    def run_day(self, day: dt.date, journal: Journal) -> None:
        self.morning(day, journal)
        end = WEEKEND_END if day.weekday() >= 5 else DAY_END
        by_collector: dict[int, list[CaseRec]] = defaultdict(list)
        for case in self.held:
            w = case.work
            if case.collector is None or case.status not in ACTIVE or w.next_contact > day:
                continue
            if case.borrower.deceased:
                if not w.tried_deceased and self.rng.random() < 0.05:
                    by_collector[case.collector.pk].append(case)  # a collector tries; the gate refuses
                continue
            if w.promise is not None and w.promise.status == "pending":
                continue
            by_collector[case.collector.pk].append(case)
        for pk in sorted(by_collector):
            queue = by_collector[pk]
            # promises broken or callbacks due first, then the oldest bucket and the largest balance
            queue.sort(key=lambda c: (c.work.callback is None, -c.max_dpd, -c.total_balance, c.index))
            cursor = clock_at(day, DAY_START) + dt.timedelta(minutes=self.rng.randint(0, 20))
            for case in queue:
                if cursor.time() >= end or cursor.date() != day:
                    break  # the rest waits for tomorrow
                if LUNCH <= cursor.time() < AFTER_LUNCH:
                    cursor = clock_at(day, AFTER_LUNCH) + dt.timedelta(minutes=self.rng.randint(0, 10))
                cursor = self._session(case, case.collector, cursor, day, end, journal)
        self._reminders(day, journal)
        self._pay(day, journal)

    def morning(self, day: dt.date, journal: Journal) -> None:
        """07:00 ``evaluate_promises``: a pending promise whose window has closed is partially kept or broken;
        08:30 ``remind_promises``: a reminder task for each pending promise due today or tomorrow."""
        for promise in self.promises:
            if promise.status == "pending" and day > promise.window_end:
                promise.status = work.promise_status(promise.amount, promise.paid_amount, promise.due_date,
                                                     promise.grace_days, day)
                promise.resolved_at = clock_at(day, dt.time(7, 0))
                journal.changed_promises.add(promise)
                case = promise.case
                if case.work.promise is promise:
                    case.work.promise = None
                    case.work.next_contact = day
        for promise in self.promises:
            if (promise.status == "pending" and not promise.reminded
                    and day <= promise.due_date <= day + dt.timedelta(days=work.PROMISE_REMINDER_DAYS)):
                case = promise.case
                if case.status not in ACTIVE:
                    continue
                promise.reminded = True
                created = clock_at(day, dt.time(8, 30))
                task = TaskRec(case, work.TaskKind.PROMISE_REMINDER,
                               f"承诺还款提醒：{promise.amount} 元于 {promise.due_date} 到期",
                               due_at=clock_at(day, dt.time(9, 0)), assigned_to=case.collector, created_at=created,
                               promise=promise)
                journal.tasks.append(task)
                self.open_tasks.append(task)

    def _session(self, case: CaseRec, actor, at: dt.datetime, day: dt.date, end: dt.time,
                 journal: Journal) -> dt.datetime:
        """One collector's go at one case: up to three calls (the debtor, or for a 失联 debtor a related party, to
        locate them), what the conversation gives, perhaps an SMS. Returns the collector's next free minute."""
        rng, person, w = self.rng, self.person(case), case.work
        accounts = [a for a in w.held if a.status == ledger.OPEN]
        if not accounts:
            w.next_contact = day + dt.timedelta(days=30)
            return at
        sessions = person.calls_today.get(day, 0)
        if sessions >= 2:
            w.next_contact = day + dt.timedelta(days=1)
            return at
        person.calls_today = {day: sessions + 1}
        if case.borrower.deceased:
            w.tried_deceased = True
            phones = case.borrower.phones()
            if phones:
                self._call(case, actor, at, accounts, phones[0]["value"], None, journal, try_only=True)
            w.next_contact = day + dt.timedelta(days=30)
            return at + dt.timedelta(minutes=2)
        if case.borrower.lost:
            if not person.parties:
                w.next_contact = day + dt.timedelta(days=rng.randint(7, 14))
                return at
            key, party = person.parties[rng.randrange(len(person.parties))]
            purpose = "collection" if party["role"] in ("guarantor", "co_borrower") else "location"
            contact = self._call(case, actor, at, accounts, party["phone"], party, journal, purpose=purpose)
            if contact is not None and contact.outcome == "third_party":
                contact.note, contact.duration = NOTES["third_party"], rng.randint(40, 150)
            w.next_contact = day + dt.timedelta(days=rng.randint(3, 7))
            return at + dt.timedelta(minutes=rng.randint(3, 6))
        phones = case.borrower.phones()
        if not phones:
            w.next_contact = day + dt.timedelta(days=rng.randint(10, 20))
            return at
        if w.callback is not None and w.callback.done_at is None and w.callback.due_at.date() <= day:
            w.callback.done_at, w.callback.done_by, w.callback.result = at, actor, "已按约回电"
            journal.done_tasks.add(w.callback)
            w.callback = None
        number = phones[0]["value"] if len(phones) == 1 or rng.random() < 0.8 else phones[1]["value"]
        attempts = rng.choice((1, 2, 2, 3)) if case.bucket in ("M1", "M2") else rng.choice((1, 1, 2))
        when, spent = at, 0
        for attempt in range(attempts):
            if when.time() >= end or when.date() != day:
                break
            contact = self._call(case, actor, when, accounts, number, None, journal)
            if contact is None:  # denied
                break
            if contact.outcome == "conversation":
                spent += rng.randint(8, 16)  # the call, then the notes and the promise
                self._conversation(case, contact, accounts, day, journal)
                return at + dt.timedelta(minutes=spent)
            spent += rng.randint(3, 5)  # dialling, ringing out, logging the attempt
            when += dt.timedelta(minutes=rng.randint(70, 160))
        third = [(k, p) for k, p in person.parties if p["role"] not in ("guarantor", "co_borrower")]
        if third and rng.random() < 0.012:
            # now and then a collector reaches for a relative of a debtor who is merely not answering: the gate
            # refuses (third parties only to locate a debtor who has lost contact), and the refusal is on record
            _key, party = third[rng.randrange(len(third))]
            spent += 1
            self._call(case, actor, at + dt.timedelta(minutes=spent), accounts, party["phone"], party, journal,
                       purpose="location")
        if rng.random() < 0.2:
            spent += 2
            self._sms(case, actor, at + dt.timedelta(minutes=spent), accounts, "reminder", journal)
        w.next_contact = day + dt.timedelta(days=rng.choice((1, 2, 2, 3, 3)))
        return at + dt.timedelta(minutes=max(spent, 3))

    def _close(self, case: CaseRec, day: dt.date) -> None:
        """The case as the database shows it during ``day``: balances of last night's close (only needed when the
        collector reads them: a promise, a message)."""
        if case.work.closed != day:
            for account in case.work.held:
                ledger.close_through(account, day - dt.timedelta(days=1))
            case.refresh(day)
            case.work.closed = day

    # --- the gate ---------------------------------------------------------------------------------------------
    def _request(self, case: CaseRec, actor, at: dt.datetime, channel: str, purpose: str, accounts, number: str,
                 party: dict | None, template: str = "") -> tuple[Contact, bool]:
        person = self.person(case)
        token = self.token(number) if number else ""
        party_key = f"R{party['pk']}" if party is not None else live.DEBTOR_KEY
        request = Request(channel, tuple(a.reference for a in accounts), party_key, purpose, number=token or None,
                          template=template or None)
        pack = self.packs[case.spec.policy_pack]
        quals = self.quals.get(actor.pk, set()) if actor is not None else set()
        result = live.evaluate_live(actor, request, at, person.history, pack, masked_number=self.masked(number),
                                    qualifications={k for k, (start, end) in quals.items()
                                                    if start <= at.date() and (end is None or end >= at.date())})
        seen = len(person.history.contacts(to_us(at), to_us(at - live.LOOKBACK)))
        contact = Contact(at, case, actor, channel, purpose, list(accounts), result.decision, result.relation,
                          (seen, len(person.history.s_ev)), party=party, number=number, token=token,
                          template_text=template)
        return contact, result.decision.allowed

    def _made(self, contact: Contact, outcome: str) -> None:
        """The contact happened: its ledger row, and an event in the person's history the gate reads next time."""
        contact.outcome = outcome
        party = f"R{contact.party['pk']}" if contact.party is not None else live.DEBTOR_KEY
        self.person(contact.case).history.add(ContactEvent(
            contact.at, to_us(contact.at), contact.channel, "outbound", party,
            tuple(a.reference for a in contact.accounts), contact.token or None, outcome, contact.purpose,
            contact.token or None))

    def _call(self, case, actor, at, accounts, number, party, journal, *, purpose="collection", try_only=False):
        contact, allowed = self._request(case, actor, at, "call", purpose, accounts, number, party)
        journal.contacts.append(contact)
        if not allowed:
            return None
        if try_only:  # an allow on a case nobody should call is not used: the test of the gate is the point
            raise AssertionError(f"the gate allowed a call on {case.spec.code} case of a deceased debtor")
        r = self.rng.random()
        answer = self.person(case).answer * (0.7 if party is not None else 1.0)
        if r < answer:
            outcome = "third_party" if party is not None and party["role"] not in ("guarantor", "co_borrower") \
                else "conversation"
        else:
            outcome = self.rng.choices(("no_answer", "busy", "voicemail"), (65, 20, 15))[0]
        self._made(contact, outcome)
        contact.duration = 0 if outcome in ("no_answer", "busy") else self.rng.randint(15, 45)
        return contact

    def _sms(self, case, actor, at, accounts, code: str, journal: Journal) -> Contact | None:
        phones = [p for p in case.borrower.phones() if p["kind"] == "mobile"]
        if not phones:
            return None
        template = self.sms[code]
        self._close(case, at.date())
        body = self._render(case, template, at, accounts)
        contact, allowed = self._request(case, actor, at, "sms", template.purpose, accounts, phones[0]["value"], None,
                                         template=body)
        journal.contacts.append(contact)
        if not allowed:
            return None
        status = "delivered" if self.rng.random() < 0.97 else "failed"
        contact.message = {"template": template, "body": body, "status": status,
                           "public_id": f"{self.rng.getrandbits(128):032x}"}
        self._made(contact, "delivered" if status == "delivered" else "failed")
        return contact

    def _render(self, case: CaseRec, template, at: dt.datetime, accounts) -> str:
        """``outreach.services.render_message`` for an SMS: the template's variables for this case as of ``at`` and
        the pack's opt-out notice."""
        from concord.outreach import disclosures, rendering

        sender = self.senders[case.spec.code]
        dues = [i.due_date for a in accounts for i in a.items if not i.settled]
        due = min(dues) if dues else None
        reference = case.reference
        values = {
            "debtor_name": case.borrower.debtor["full_name"], "creditor_name": sender["display_name"],
            "balance": f"{case.total_balance:,.2f}", "due_date": due.isoformat() if due else "",
            "dpd": str(case.max_dpd), "case_reference": reference,
            "account_tail": min(case.accounts, key=lambda a: a.placed_on).reference[-4:],  # the first written
            "payment_link": sender["payment_url"].replace("{case_reference}", reference),
            "creditor_phone": sender["phone"], "creditor_email": sender["email"],
            "creditor_address": sender["address"], "today": at.astimezone(SHANGHAI).date().isoformat(),
            "dispute_by": (at.astimezone(SHANGHAI).date() + dt.timedelta(days=35)).isoformat()}
        body = rendering.render(template.body, values)
        notice = disclosures.opt_out_text(case.spec.policy_pack, "sms", template.language)
        if notice:
            notice = rendering.render(notice, values)
            if notice not in body:
                body += notice
        return body

    # --- what a conversation gives ----------------------------------------------------------------------------
    def _conversation(self, case: CaseRec, contact: Contact, accounts, day: dt.date, journal: Journal) -> None:
        rng, person, w = self.rng, self.person(case), case.work
        p_promise = 0.2 + 0.45 * person.propensity
        r = rng.random()
        cuts = [("promise", p_promise), ("refusal", 0.12), ("hardship", 0.12), ("callback", 0.08),
                ("already_paid", 0.02)]
        code = ""
        for name, share in cuts:
            if r < share:
                code = name
                break
            r -= share
        contact.note = NOTES[code]
        if code == "promise":
            promise = self._promise(case, contact, accounts, day)
            if promise is None:
                code, contact.note = "", NOTES[""]
            else:
                journal.promises.append(promise)
                contact.codes = ("hardship", "promise") if rng.random() < 0.15 else ("promise",)
                w.next_contact = promise.window_end + dt.timedelta(days=1)
                return
        contact.codes = (code,) if code else ()
        if code == "callback":
            back = clock_at(day + dt.timedelta(days=rng.choice((1, 1, 2))), dt.time(rng.randint(10, 17),
                                                                                     rng.choice((0, 30))))
            task = TaskRec(case, work.TaskKind.CALLBACK, f"约定回电 {self.masked(contact.number)}", due_at=back,
                           assigned_to=case.collector, created_at=contact.at, created_by=contact.actor)
            journal.tasks.append(task)
            self.open_tasks.append(task)
            w.callback, w.next_contact = task, back.date()
            return
        if code == "already_paid":
            task = TaskRec(case, work.TaskKind.VERIFY_PAYMENT, "核实债务人所称已还款",
                           due_at=contact.at + dt.timedelta(days=1), assigned_to=case.collector,
                           created_at=contact.at, created_by=contact.actor)
            journal.tasks.append(task)
            self.open_tasks.append(task)
        w.next_contact = day + dt.timedelta(days=rng.randint(3, 8) if code else rng.randint(2, 6))

    def _promise(self, case: CaseRec, contact: Contact, accounts, day: dt.date) -> PromiseRec | None:
        """A promise within ``record_promise``'s limits, and the payments that will (or will not) follow it."""
        rng, person = self.rng, self.person(case)
        self._close(case, day)
        total = case.total_balance
        if total <= 0:
            return None
        kinds = [a.terms.kind for a in accounts]
        latest = work.promise_max_days(kinds)
        grace = max(a.terms.promise_grace_days for a in accounts)
        k = rng.random()
        loans = [a for a in accounts if a.method != ledger.REVOLVING]
        target = max(accounts, key=lambda a: (a.dpd, a.total_balance))
        if k < 0.04:
            kind, amount = "settle", total
        elif loans and k < 0.16:
            target = max(loans, key=lambda a: (a.dpd, a.total_balance))
            kind, amount = "cure", min(ledger.cure_amount(target), total)
        else:
            kind = "partial"
            amount = total * Decimal(rng.randint(8, 35)) / 100
            step = Decimal(100) if amount >= 300 else Decimal(1)
            amount = max((amount / step).quantize(Decimal(1), ROUND_DOWN) * step, min(Decimal(50), total))
        amount = min(amount.quantize(CENT), total)
        if amount <= 0:
            return None
        due = day + dt.timedelta(days=rng.randint(1, min(latest, 10 if kind == "partial" else latest)))
        promise = PromiseRec(case, amount, due, grace, contact.at, contact, contact.actor, note="")
        case.work.promise = promise
        case.work.promises.append(promise)
        self.promises.append(promise)
        u = rng.random()
        kept, partly = 0.05 + 0.85 * person.propensity, 0.12
        if u < kept + partly:
            share = Decimal(1) if u < kept else Decimal(rng.randint(20, 80)) / 100
            first = day + dt.timedelta(days=1)
            last = due + dt.timedelta(days=grace if rng.random() < 0.1 else 0)
            pay_day = first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))
            at = clock_at(pay_day, dt.time(rng.randint(8, 21), rng.randint(0, 59), rng.randint(0, 59)))
            if share < 1:
                kind, amount = "partial", max((amount * share).quantize(Decimal(1), ROUND_DOWN), Decimal(1))
            self.planned[pay_day].append(Planned(case, kind, amount, at, account=target, promise=promise))
        return promise

    def _reminders(self, day: dt.date, journal: Journal) -> None:
        """The day before a promise falls due, its collector sends the payment link; the reminder task is done."""
        for task in list(self.open_tasks):
            if task.done_at is not None:
                self.open_tasks.remove(task)
                continue
            if task.due_at.date() > day:
                continue
            case = task.case
            if task.kind == work.TaskKind.PROMISE_REMINDER:
                promise = task.promise
                actor = case.collector or task.assigned_to
                at = clock_at(day, dt.time(self.rng.randint(10, 11), self.rng.randint(0, 59)))
                if promise.status == "pending" and actor is not None and case.status in ACTIVE:
                    accounts = [a for a in case.work.held if a.status == ledger.OPEN]
                    if accounts and self._sms(case, actor, at, accounts, "payment_link", journal) is not None:
                        task.result = "已发送还款链接短信提醒"
                    else:
                        task.result = "已提醒"
                else:
                    task.result = "承诺已处理，无需提醒"
                task.done_at, task.done_by = at, actor
            elif task.kind == work.TaskKind.VERIFY_PAYMENT:
                task.done_at = clock_at(day, dt.time(10, self.rng.randint(0, 59)))
                task.done_by = case.collector or task.assigned_to
                since = task.created_at.date() - dt.timedelta(days=7)
                paid = any(p.paid_at.date() >= since for p in case.work.payments)
                task.result = "已核实到账" if paid else "已核实：未查到该笔还款，已告知债务人"
            else:
                continue  # a callback is done by the next call
            journal.done_tasks.add(task)
            self.open_tasks.remove(task)

    # --- payments ---------------------------------------------------------------------------------------------
    def _pay(self, day: dt.date, journal: Journal) -> None:
        rng = self.rng
        for case in self.held:  # a few pay without a promise (standing orders, deductions)
            w = case.work
            if case.status in ACTIVE and (w.promise is None or w.promise.status != "pending") and \
                    rng.random() < 0.0025 * self.person(case).propensity:
                at = clock_at(day, dt.time(rng.randint(8, 21), rng.randint(0, 59), rng.randint(0, 59)))
                self.planned[day].append(Planned(case, "spontaneous", ZERO, at))
        for plan in sorted(self.planned.pop(day, []), key=lambda p: (p.at, p.case.index)):
            case = plan.case
            held = [a for a in case.work.held if a.status == ledger.OPEN]
            if not held:
                continue
            account = plan.account if plan.account in held else max(held, key=lambda a: (a.dpd, a.total_balance))
            ledger.close_through(account, day - dt.timedelta(days=1))
            if plan.kind == "settle":
                payments = []
                for a in held:
                    ledger.close_through(a, day - dt.timedelta(days=1))
                    payments.append((a, a.total_balance))
            elif plan.kind == "cure":
                payments = [(account, min(max(plan.amount, ledger.cure_amount(account)), account.total_balance))]
            elif plan.kind == "spontaneous":
                share = account.total_balance * Decimal(rng.randint(5, 20)) / 100
                payments = [(account, max((share / 100).quantize(Decimal(1), ROUND_DOWN) * 100, Decimal(100)))]
            else:
                payments = [(account, plan.amount)]
            for target, amount in payments:
                amount = min(amount.quantize(CENT), target.total_balance)
                if amount <= 0:
                    continue
                self._record_payment(case, target, amount, plan.at, journal)
            case.refresh(day)
            if plan.promise is not None:
                journal.changed_promises.add(plan.promise)
            if not [a for a in case.work.held if a.status == ledger.OPEN] and case.status in ACTIVE:
                case.status, case.closed_on = "settled", day

    def _record_payment(self, case: CaseRec, account: ledger.Account, amount: Decimal, at: dt.datetime,
                        journal: Journal) -> None:
        rng = self.rng
        day = at.astimezone(SHANGHAI).date()
        allocation = ledger.pay(account, amount, day)
        self.oldest[id(account)] = account.oldest_unsettled_due()
        self.payment_seq += 1
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        payment = PaymentRec(account, amount, at, channel,
                             f"{CHANNEL_PREFIX[channel]}{at:%Y%m%d}{self.payment_seq:08d}", allocation)
        journal.payments.append(payment)
        journal.touched.add(account)
        case.work.payments.append(payment)
        for promise in case.work.promises:  # the loans follower: promises whose window holds the payment
            if promise.status == "superseded" or not promise.made_at.date() <= day <= promise.window_end:
                continue
            promise.paid_amount += amount
            journal.changed_promises.add(promise)
            if promise.status in ("pending", "partial", "broken"):
                new = work.promise_status(promise.amount, promise.paid_amount, promise.due_date, promise.grace_days,
                                          day)
                if new != promise.status:
                    promise.status, promise.resolved_at = new, (None if new == "pending" else at)
                if new == "kept" and case.work.promise is promise:
                    case.work.promise = None
                    case.work.next_contact = day + dt.timedelta(days=rng.randint(7, 14))

    def close_day(self, day: dt.date, journal: Journal, *, replay: bool) -> None:
        """The night of ``day`` (``concord.demo.nights``)."""
        nights.close_day(self, day, journal, replay=replay)
