"""Promises (validated, tracked by payments, evaluated, reminded), tasks and scripts."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from concord.workbench import followups, promises, scripts
from concord.cases.models import Activity
from concord.workbench.models import Promise, Script, Task
from concord.workbench.queues import open_tasks, today_queue
from concord.core import clock
from concord.core.models import AuditEvent
from concord.loans import services as loans

pytestmark = pytest.mark.django_db


def pay(case, amount, ref):
    account = case.accounts.first()
    return loans.record_payment(None, account=account, amount=Decimal(amount), paid_at=clock.now(),
                                channel="bank_transfer", external_reference=ref)[0]


class TestPromises:
    def test_recorded_with_an_activity_and_audit(self, crew):
        case = crew.cases["a"]
        p = promises.record_promise(crew.users["col_a"], case, amount="800", due_date=clock.today())
        assert p.status == "pending" and p.grace_days == 1
        assert Activity.objects.filter(kind="promise", case=case).count() == 1
        assert AuditEvent.objects.filter(action="promise.record", object_id=str(p.pk)).exists()

    @pytest.mark.parametrize("amount,days,field", [("0", 1, "amount"), ("-5", 1, "amount"), ("1.234", 1, "amount"),
                                                   ("100", -1, "due_date"), ("100", 31, "due_date"),
                                                   ("99999999", 1, "amount")])
    def test_bad_promises_name_the_field_and_write_nothing(self, crew, amount, days, field):
        with pytest.raises(ValidationError) as exc:
            promises.record_promise(crew.users["col_a"], crew.cases["a"], amount=amount,
                                    due_date=clock.today() + dt.timedelta(days=days))
        assert field in exc.value.message_dict
        assert not Promise.objects.exists() and not Activity.objects.exists()

    def test_the_limit_follows_the_product(self, crew):
        assert promises.promise_limits(crew.cases["a"])["max_days"] == 30       # credit card
        assert promises.promise_limits(crew.cases["b"])["max_days"] == 14       # online loan
        with pytest.raises(ValidationError):
            promises.record_promise(crew.users["col_b"], crew.cases["b"], amount="100",
                                    due_date=clock.today() + dt.timedelta(days=15))

    def test_a_new_promise_supersedes_the_pending_one(self, crew):
        case = crew.cases["a"]
        first = promises.record_promise(None, case, amount="500", due_date=clock.today())
        promises.record_promise(None, case, amount="600", due_date=clock.today() + dt.timedelta(days=3))
        first.refresh_from_db()
        assert first.status == "superseded"

    def test_kept_by_payment_and_unkept_by_reversal(self, crew):
        case = crew.cases["b"]
        p = promises.record_promise(None, case, amount="500", due_date=clock.today() + dt.timedelta(days=3))
        payment = pay(case, "300", "P-1")
        p.refresh_from_db()
        assert (p.status, p.paid_amount) == ("pending", Decimal("300.00"))
        pay(case, "200", "P-2")
        p.refresh_from_db()
        assert p.status == "kept" and p.resolved_at
        loans.reverse_payment(None, payment, reason="退票")
        p.refresh_from_db()
        assert (p.status, p.paid_amount) == ("pending", Decimal("200.00"))

    def test_evaluation_after_grace_days(self, crew):
        a, b = crew.cases["a"], crew.cases["b"]
        pa = promises.record_promise(None, a, amount="500", due_date=clock.today())
        pb = promises.record_promise(None, b, amount="500", due_date=clock.today())
        pay(b, "100", "P-3")
        assert promises.evaluate_promises(clock.today() + dt.timedelta(days=1)) == {"kept": 0, "partial": 0,
                                                                                  "broken": 0}   # grace day
        counts = promises.evaluate_promises(clock.today() + dt.timedelta(days=2))
        pa.refresh_from_db()
        pb.refresh_from_db()
        assert (pa.status, pb.status) == ("broken", "partial") and counts == {"kept": 0, "partial": 1, "broken": 1}
        assert AuditEvent.objects.filter(action="promise.status").count() == 2

    def test_due_and_broken_promises_lead_the_queue(self, crew):
        col = crew.users["col_a"]
        a, u = crew.cases["a"], crew.cases["u"]
        order = [c.pk for c in today_queue(col)]
        last = order[-1]
        promises.record_promise(None, crew.cases["a"] if last == a.pk else u, amount="100", due_date=clock.today())
        assert [c.pk for c in today_queue(col)][0] == last

    def test_reminders_once_per_promise_and_the_command(self, crew):
        case = crew.cases["a"]
        p = promises.record_promise(None, case, amount="100", due_date=clock.today() + dt.timedelta(days=1))
        assert promises.remind_promises(clock.today()) == 1
        assert promises.remind_promises(clock.today()) == 0
        task = Task.objects.get(promise=p)
        assert task.kind == "promise_reminder" and task.assigned_to == crew.users["col_a"]
        assert task in open_tasks(crew.users["col_a"])
        call_command("work", "remind")
        call_command("work", "evaluate", "--date", str(clock.today()))
        assert Task.objects.count() == 1


class TestTasks:
    def test_create_and_complete(self, crew):
        case, col = crew.cases["a"], crew.users["col_a"]
        task = followups.create_task(col, case, title="周五下午回访", due_at=clock.now() + dt.timedelta(hours=2))
        assert task.assigned_to == col and Activity.objects.filter(kind="task").count() == 1
        followups.complete_task(col, task, result="已回访")
        task.refresh_from_db()
        assert task.done_at and task.done_by == col and task not in open_tasks(col)
        with pytest.raises(ValidationError) as exc:
            followups.complete_task(col, task)
        assert "task" in exc.value.message_dict

    @pytest.mark.parametrize("title,hours,field", [("", 1, "title"), ("再不还钱就爆通讯录", 1, "title"),
                                                   ("回访", -2, "due_at")])
    def test_bad_tasks(self, crew, title, hours, field):
        with pytest.raises(ValidationError) as exc:
            followups.create_task(crew.users["col_a"], crew.cases["a"], title=title,
                                  due_at=clock.now() + dt.timedelta(hours=hours))
        assert field in exc.value.message_dict and not Task.objects.exists()

    def test_who_may_complete(self, crew):
        task = followups.create_task(None, crew.cases["a"], title="回访", due_at=clock.now())
        assert followups.may_complete(crew.users["col_a"], task)
        assert followups.may_complete(crew.users["lead_a"], task)
        assert not followups.may_complete(crew.users["col_b"], task)


class TestScripts:
    def test_seeded_in_both_languages(self, db):
        topics = set(Script.objects.values_list("topic", flat=True))
        assert topics == {"hardship", "anger", "dispute", "third_party"}
        en = {s["topic"]: s for s in scripts.scripts_for("en")}
        assert "debt" in en["third_party"]["body"] and "倾听" in scripts.scripts_for("zh-hans")[1]["body"] + \
            "".join(s["body"] for s in scripts.scripts_for("zh-hans"))

    def test_managers_edit_content_checked(self, world):
        script = Script.objects.get(topic="anger")
        scripts.update_script(world.users["manager"], script, title_en="Someone is angry")
        assert Script.objects.get(topic="anger").title_en == "Someone is angry"
        assert AuditEvent.objects.filter(action="script.update").exists()
        with pytest.raises(ValidationError):
            scripts.update_script(world.users["col_a"], script, title_en="x")
        with pytest.raises(ValidationError) as exc:
            scripts.update_script(world.users["manager"], script, body_zh="不还钱就让你坐牢")
        assert "body_zh" in exc.value.message_dict


class TestNotes:
    def test_a_note_is_logged_and_checked(self, crew):
        entry = followups.add_note(crew.users["col_a"], crew.cases["a"], text="借款人称下周发工资\n约定周五再联系")
        assert entry.kind == "note" and entry.summary == "借款人称下周发工资" and "周五" in entry.note
        for bad in ("", "不还钱就曝光你"):
            with pytest.raises(ValidationError) as exc:
                followups.add_note(crew.users["col_a"], crew.cases["a"], text=bad)
            assert "text" in exc.value.message_dict
        assert Activity.objects.filter(kind="note").count() == 1


def test_missing_default_scripts_are_put_back(db):
    Script.objects.filter(topic="anger").delete()
    assert scripts.ensure_defaults() == 1 and scripts.ensure_defaults() == 0
    assert Script.objects.count() == 4
