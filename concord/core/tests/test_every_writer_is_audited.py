"""Every writer is audited: each public function that writes domain rows leaves an audit event in the same
transaction as every row it writes, and no audit event carries a personal value in clear.

How it is checked
-----------------
*Which functions.* The writer modules are every ``concord/<app>/services.py`` and the modules listed in
:data:`WRITER_MODULES`. Every public function of a writer module (and every public method of a class defined
there) must be in exactly one of three lists, or the test fails — so a new public function cannot go unnoticed:

- :data:`writer_calls.SCENARIOS` — how to call it on the ``world`` (the dynamic test below runs it);
- :data:`READ_ONLY` — it reads or computes only;
- :data:`CARRIED` — it writes, but its audit event is recorded by the action that calls it (derived data such as
  the case summary, the chunk writers of imports, the end-of-day write-back), or — named with the reason — it is
  deliberately not audited. Each entry names the modules allowed to call it; a reference to it from any other
  module fails the test, so an unaudited caller cannot appear unnoticed.

*Which modules.* Every module of ``concord/`` (tests and migrations aside) is scanned for write calls (``.save()``,
``.delete()``, ``objects.create``, queryset ``.update()``, ``bulk_create``/``bulk_update``, ``get_or_create``,
``insert_rows``, SQL that inserts, updates, deletes or copies in): a module with one must be a writer module or be
listed in :data:`NOT_WRITERS` with the reason.

*What "audited in the same transaction" means.* Each scenario runs under
:class:`~concord.core.tests.writer_tracking.WriteTracker`: every SQL statement sent through Django's connection
(and the two raw-driver paths of bulk writes, wrapped) is noted with the transaction it ran in — the outermost
atomic block the application opened, which is the database transaction in production; a write outside any block
runs in autocommit, alone. A write passes only when an ``INSERT`` into ``core_auditevent`` was made in the same
transaction and neither was undone by a rolled-back savepoint. The tables' row counts are compared before and
after the call as a cross-check: a table that changed without a noted write fails the test (a write that escaped
the hook). Finally the audit events the call wrote must not contain any personal value held in the database in
clear: ID numbers, phone numbers, e-mail and WeChat addresses, street addresses, names of people.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from concord.core.models import AuditEvent

from . import writer_tracking as tracking
from .writer_calls import SCENARIOS, Ctx, function_of

ROOT = Path(__file__).resolve().parents[2]  # the concord package

#: Writer modules beside ``<app>/services.py``.
WRITER_MODULES = {
    "concord.allocation.bulk", "concord.allocation.jobs", "concord.arrangements.authority",
    "concord.arrangements.tracking", "concord.cases.activities", "concord.core.bulk", "concord.core.jobs",
    "concord.demo.writer", "concord.operations.alerts", "concord.reports.subscriptions", "concord.reports.delivery",
    "concord.eod.adapter", "concord.eod.dbio", "concord.eod.writeback", "concord.strategy.experiments",
    "concord.imports.contacts", "concord.imports.payments", "concord.imports.placing", "concord.imports.recalls",
    "concord.telephony.inbound", "concord.telephony.quality",
    "concord.workbench.calls", "concord.workbench.claims", "concord.workbench.followups",
    "concord.workbench.promises", "concord.workbench.script_defaults", "concord.workbench.scripts",
    "concord.portal.actions", "concord.portal.payments.ledger",
    "concord.staff.tokens", "concord.staff.twofactor", "concord.reports.targets",
}

#: Modules whose write-shaped calls write no domain rows.
NOT_WRITERS = {
    "concord.allocation.selectors": "plain SELECTs of the cases' facts for the allocation rules",
    "concord.core.audit": "the audit trail itself (events and the chains' heads)",
    "concord.compliance.live": "reads the contact ledger and state with plain SELECTs",
    "concord.eod.engine": "statements on DuckDB/Spark, the engine's own tables, never the application database",
    "concord.eod.validate": "statements on DuckDB, the engine's own tables, never the application database",
    "concord.eod.history": "statements on DuckDB over the run outputs (Parquet files), never the application database",
    "concord.reports.metrics.__init__": "read-only DuckDB queries over the reports' daily history (Parquet files)",
    "concord.reports.metrics.drill": "read-only DuckDB queries over the reports' daily history (Parquet files)",
    "concord.quality.measures": "dict.update of the scorecard's counts in memory; reads only",
    "concord.settings": "dict.update of the database options",
    "concord.core.worker": "the worker's own heartbeat row (WorkerProcess) and the heartbeat time of the job it runs: "
                           "operational records of the process, no domain rows (a job's start, attempts and end are "
                           "audited by concord.core.jobs)",
    "concord.demo.staffing": "the demo seed (concord/demo, kept by its own helper) creates its users and teams "
                             "directly, unaudited; people change users and teams in the admin, which records each "
                             "change (staff/admin.py, staff/tests/test_admin.py)",
}

#: Public functions of writer modules that only read or compute.
READ_ONLY = {
    "concord.allocation.services": {"describe_change", "move_reason", "plan", "reason_label"},
    "concord.allocation.bulk": {"check_target"},
    "concord.strategy.experiments": {"running"},
    "concord.strategy.services": {"pack_caps", "problem_text", "problems_by_field", "check", "shipped_tree"},
    "concord.arrangements.services": {"by_role_label", "bound_source"},
    "concord.arrangements.authority": {"policy_row", "limits", "limit_for", "house_limit", "calculator_policy",
                                       "required_role", "automatic_limit"},
    "concord.cases.activities": {"check_note", "outcome_label", "register_summary", "summary_text", "register_phrases",
                                 "say_phrase", "label_of"},
    "concord.compliance.services": {"deadline_days"},
    "concord.reports.targets": {"targets_for"},
    "concord.quality.services": {"current_rubric", "current_weights", "may_review", "reasons_for", "rubric_messages",
                                 "sample_rate", "sample_seed", "score_of", "visible_samples"},
    "concord.reports.subscriptions": {"parse_recipients", "manages_all", "visible_subscriptions", "filters_of",
                                      "teams_of", "recipient_problem"},
    "concord.reports.delivery": {"slot_name", "latest_slot", "next_slot", "due", "retries_due", "subtitle",
                                 "file_name", "build"},
    "concord.core.bulk": {"BlindIndexes.compute", "BlindIndexes.of", "check_rows"},
    "concord.core.jobs": {"kind", "register_tick", "register_follower", "label_of", "worker_name", "worker_gone",
                          "dt_seconds", "stopping", "ticks", "Context.cancelled", "schedulable"},
    "concord.operations.alerts": {"recipients"},
    "concord.core.services": {"validate", "snapshot", "changed", "require"},
    "concord.debtors.services": {"normalize_id", "affordability"},
    "concord.eod.adapter": {"last_run", "backdated", "changed_since"},
    "concord.eod.dbio": {"is_postgres", "fen", "scaled", "local_date", "ts", "read", "drop_temp"},
    "concord.eod.writeback": {"case_plan", "moves", "buckets", "next_statuses"},
    "concord.imports.contacts": {"key", "audit_label", "contact_writer"},
    "concord.imports.payments": {"key", "payment_writer"},
    "concord.imports.placing": {"PlacementWriter.terms", "placement_key"},
    "concord.imports.recalls": {"key", "recall_writer"},
    "concord.imports.services": {"batch_dir", "sha256_of", "load_profile", "ignored_columns", "field_labels",
                                 "stored_file", "error_file", "issues_file", "read_issues", "estimate_rows", "today",
                                 "upload_copy", "error_bytes", "export_error_file"},
    "concord.legal.services": {"limitation_of", "time_bar_reason", "parse_cost", "cost_totals"},
    "concord.loans.services": {"penalty_rule", "due_items"},
    "concord.portal.services": {"idle_minutes", "send_code"},  # send_code hands the SMS to the adapter, no rows
    "concord.portal.actions": {"portal_url", "demo_entry", "personal_link"},
    "concord.outreach.services": {"check_template_text", "variables_for", "debtor_language", "template_for",
                                  "render_message", "SendOutcome.reason", "contact_point_for", "token_ok",
                                  "register_send_time_values",
                                  "is_opt_out", "letter_layout", "letters_pdf", "check_letter"},
    "concord.retention.services": {"RetentionResult.as_dict", "due_people"},
    "concord.visits.services": {"address_choices", "masked_address", "earliest_visit", "selectable_agents"},
    "concord.staff.tokens": {"digest", "HashedTokenAuthentication.authenticate_credentials"},
    "concord.staff.twofactor": {"enabled", "role_requires", "enrolled", "required", "qr_svg"},
    "concord.workbench.calls": {"recordings_dir", "result_code_labels", "cap_holders", "describe_unlogged",
                                "say_call", "unlogged_calls", "undisposed_calls"},
    "concord.telephony.services": {"case_context", "dial_permit_seconds", "placed", "switch_configured", "verify_recording",
                                   "hang_up"},  # hang_up asks the provider; the call's end comes as its record
    "concord.telephony.inbound": {"unknown_calls"},
    "concord.telephony.quality": {"transcriber", "flagged_calls", "Transcriber.transcribe"},
    "concord.workbench.claims": {"claim_minutes", "holder", "current_claims"},
    "concord.workbench.followups": {"may_complete"},
    "concord.workbench.promises": {"promise_limits", "say_promise", "open_promises", "promise_values"},
    "concord.arrangements.tracking": {"open_arrangements"},
    "concord.placements.services": {"due_placements", "retention_reason"},
    "concord.statements.services": {"latest_reconciliation", "open_differences", "remitted"},
    "concord.workbench.scripts": {"scripts_for"},
}

WRITERS = "any writer module"


@dataclass(frozen=True)
class Carried:
    """A writer whose audit event is the caller's (or, said why, none)."""

    reason: str
    callers: frozenset[str] | str  # modules allowed to refer to it besides its own, or WRITERS
    refs: tuple[str, ...] = ()  # the names a caller uses (``name`` or ``module_alias.name``); default: its own


def _carried(reason: str, callers, *refs: str) -> Carried:
    return Carried(reason, callers if callers == WRITERS else frozenset(callers), refs)


_EOD = ("the end-of-day write-back in bulk SQL: runs only inside eod.adapter.run_eod's transaction, which records the "
        "run's event (eod.run)")
_CHUNK = ("lands one chunk of a file inside the chunk transaction of imports.services, which records the chunk's "
          "event (import.<kind>.rows); exercised through imports.services.import_file")

#: The modules whose job bodies report progress (``ctx.progress``, ``ctx.stage_done``).
JOB_BODIES = {"concord.allocation.jobs", "concord.imports.jobs", "concord.eod.jobs", "concord.reports.jobs",
              "concord.placements.jobs", "concord.workbench.jobs", "concord.arrangements.jobs"}

CARRIED = {
    "concord.core.jobs.Context.progress": _carried(
        "not audited, on purpose: the progress counters (rows done, percent, ETA, stage) of the job's own row, "
        "not a domain row; the job's start, each attempt and its end are audited (job.start, job.run, job.finish "
        "/ job.failed / job.cancelled), and the body's writes carry their own events", JOB_BODIES, "ctx.progress"),
    "concord.core.jobs.Context.stage_done": _carried(
        "not audited, on purpose: the time of a stage of the job's own row (see Context.progress)", JOB_BODIES,
        "ctx.stage_done"),
    "concord.cases.services.on_account_changed": _carried(
        "the ledger's follower (loans.followers.register_account): runs inside the loans action that changed the "
        "account, whose event (account.open, account.accrue, payment.record, payment.reverse) covers it",
        {"concord.cases.apps"}),
    "concord.cases.services.refresh_case_summary": _carried(
        "derived figures (total, maximum DPD, bucket, settled/reopened) recomputed from the accounts: the account "
        "change that caused it carries the audit event", {"concord.cases.services"}),
    "concord.core.services.save_validated": _carried(
        "the validated save every action uses: the action records the event", WRITERS),
    "concord.core.bulk.insert_rows": _carried(
        "multi-row INSERT for batch writers: the batch action's transaction records the event", WRITERS,
        "insert_rows"),
    "concord.core.bulk.update": _carried(
        "multi-row UPDATE for batch writers: the batch action's transaction records the event", WRITERS,
        "bulk.update"),
    "concord.eod.dbio.copy_into": _carried(
        "bulk SQL of the end-of-day write-back (inside eod.adapter.run_eod's transaction)",
        {"concord.eod.writeback"}, "copy_into"),
    "concord.eod.dbio.execute": _carried(
        "bulk SQL of the end-of-day write-back (inside eod.adapter.run_eod's transaction)",
        {"concord.eod.writeback", "concord.eod.adapter"}, "dbio.execute"),
    "concord.eod.dbio.temp_table": _carried(
        "temporary tables of the end-of-day run (dropped at commit), no domain rows", {"concord.eod.writeback"}),
    **{f"concord.eod.writeback.{name}": _carried(_EOD, {"concord.eod.adapter"}, f"writeback.{name}")
       for name in ("accounts", "instalments", "account_states", "cases", "case_states", "assignments", "queue")},
    "concord.imports.placing.PlacementWriter.write": _carried(_CHUNK, {"concord.imports.kinds"}, "PlacementWriter"),
    "concord.imports.placing.PlacementWriter.refresh_cases": _carried(
        "the case summaries of a chunk's cases, in bulk (loans.summary): derived data, inside the chunk transaction "
        "of PlacementWriter.write", set(), "refresh_cases"),
    "concord.imports.payments.PaymentWriter.write": _carried(_CHUNK, {"concord.imports.kinds"}, "payment_writer",
                                                             "PaymentWriter"),
    "concord.imports.contacts.ContactWriter.write": _carried(_CHUNK, {"concord.imports.kinds"}, "contact_writer",
                                                             "ContactWriter"),
    "concord.imports.recalls.RecallWriter.write": _carried(_CHUNK, {"concord.imports.kinds"}, "recall_writer",
                                                           "RecallWriter"),
    "concord.workbench.claims.renew_claim": _carried(
        "not audited, on purpose: extends the expiry of the user's own unexpired claim (a heartbeat of the case "
        "page and of calls); who holds which case changes only by claim_case/claim_next (case.claim) and "
        "release_claim (case.release), which are audited", {"concord.workbench.claims",
                                                            "concord.workbench.case_views"}),
    "concord.workbench.claims.hold_while_working": _carried(
        "claims the case (audited, case.claim) or renews the user's own claim (see renew_claim); runs inside "
        "calls.start_call and calls.log_call, whose events cover the call", {"concord.workbench.calls"}),
    "concord.portal.services.session_for": _carried(
        "not audited, on purpose: restarts the idle clock (last_seen) of the borrower's own live session on every "
        "portal page; signing in, signing out and the end of an idle session (end_session) are audited",
        {"concord.portal.auth"}, "services.session_for"),
    "concord.workbench.scripts.ensure_defaults": _carried(
        "reference data, no actor: puts back the default scripts that migration workbench/0002 seeds, after a "
        "test's flush or the demo's --flush emptied the table", {"concord.demo.work"}),
    **{f"concord.demo.writer.{name}": _carried(
        "the demo seed's writer, on an empty database (which the writer test's world is not): each chunk of "
        "borrowers, placements and history days records its own event (demo.seed.borrowers, demo.seed.placement, "
        "demo.seed.day, eod.replay), checked by concord/demo/tests", {"concord.demo.portfolio"}, ref)
       for name, ref in (("insert", "writer.insert"), ("Writer.borrowers", "Writer"), ("Writer.placed", "Writer"),
                         ("Writer.day", "Writer"), ("Writer.replay_run", "Writer"))},
    "concord.creditors.services.mark_recalled": _carried(
        "the batch record of accounts recalled (date, reason, open promises and arrangements): inside "
        "cases.services.recall_accounts, whose event (case.recall_accounts / account.recall) covers it",
        {"concord.cases.services"}),
    "concord.workbench.script_defaults.seed": _carried(
        "reference data seeded by migration workbench/0002 (before any user exists)",
        {"concord.workbench.scripts", "concord.workbench.migrations.0002_seed_scripts"}, "script_defaults.seed"),
}


# -- discovery ---------------------------------------------------------------------------------------------------
def _module_name(path: Path) -> str:
    return ".".join(("concord", *path.relative_to(ROOT).with_suffix("").parts))


def _source_modules(*, migrations: bool = False) -> dict[str, Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or (not migrations and "migrations" in parts) or parts[-1] == "conftest.py":
            continue
        out[_module_name(path)] = path
    return out


def writer_modules() -> set[str]:
    services = {name for name in _source_modules() if name.endswith(".services")}
    return services | WRITER_MODULES


def public_callables(module_name: str) -> set[str]:
    module = importlib.import_module(module_name)
    names = set()
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
            continue
        if inspect.isfunction(obj):
            names.add(name)
        elif inspect.isclass(obj):
            names |= {f"{name}.{attr}" for attr, member in vars(obj).items()
                      if not attr.startswith("_") and (inspect.isfunction(member)
                                                       or isinstance(member, (staticmethod, classmethod)))}
    return names


_ALWAYS = {"delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "insert_rows"}
_SQL_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|TRUNCATE|MERGE|REPLACE|COPY\s+[\w\"{])", re.I)


def _sql_prefix(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    return None


def write_sites(tree: ast.AST) -> list[str]:
    """The write-shaped calls of a module (``line: call``)."""
    sites = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        attr, receiver = node.func.attr, node.func.value
        hit = (attr in _ALWAYS
               or (attr == "save" and not node.args)
               or (attr == "create" and isinstance(receiver, ast.Attribute))
               or (attr == "update" and (isinstance(receiver, ast.Call)
                                         or (isinstance(receiver, ast.Attribute) and receiver.attr == "objects")
                                         or (isinstance(receiver, ast.Name) and receiver.id.endswith("qs")))))
        if attr in ("execute", "executemany", "copy") and node.args:
            sql = _sql_prefix(node.args[0])
            hit = sql is not None and bool(_SQL_WRITE.match(sql)) or (
                sql is None and not isinstance(node.args[0], ast.Constant))
        if hit:
            sites.append(f"{node.lineno}: .{attr}()")
    return sites


def references(tree: ast.AST) -> set[str]:
    """Names a module uses: bare names, attributes, ``alias.attribute`` pairs and imported names."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            out.add(node.id)
        elif isinstance(node, ast.Attribute):
            out.add(node.attr)
            if isinstance(node.value, ast.Name):
                out.add(f"{node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                out |= {alias.name, f"{(node.module or '').rsplit('.', 1)[-1]}.{alias.name}"}
        elif isinstance(node, ast.Import):
            out |= {alias.name.rsplit(".", 1)[-1] for alias in node.names}
    return out


# -- the lists are complete and current ----------------------------------------------------------------------------
def test_every_public_function_of_a_writer_module_is_exercised_or_listed():
    exercised = {function_of(key) for key in SCENARIOS}
    unclassified, twice = [], []
    for module in sorted(writer_modules()):
        for name in sorted(public_callables(module)):
            qualified = f"{module}.{name}"
            where = [qualified in exercised, name in READ_ONLY.get(module, ()), qualified in CARRIED]
            if not any(where):
                unclassified.append(qualified)
            elif sum(where) > 1:
                twice.append(qualified)
    assert not unclassified, (
        "public functions of writer modules that are neither exercised (writer_calls.SCENARIOS) nor listed as "
        f"read-only (READ_ONLY) or carried by their caller (CARRIED): {unclassified}")
    assert not twice, f"listed in more than one place: {twice}"


def test_the_lists_name_only_functions_that_exist():
    known = {f"{m}.{n}" for m in writer_modules() for n in public_callables(m)}
    listed = ({function_of(k) for k in SCENARIOS} | set(CARRIED)
              | {f"{m}.{n}" for m, names in READ_ONLY.items() for n in names})
    assert not listed - known, f"stale entries (renamed or removed?): {sorted(listed - known)}"


def test_every_module_that_writes_is_a_writer_module():
    writers = writer_modules()
    unlisted, stale = {}, []
    for name, path in _source_modules().items():
        sites = write_sites(ast.parse(path.read_text(encoding="utf-8")))
        if sites and name not in writers and name not in NOT_WRITERS:
            unlisted[name] = sites
        if name in NOT_WRITERS and not sites:
            stale.append(name)
    assert not unlisted, ("modules with write calls that are neither writer modules (WRITER_MODULES) nor listed in "
                          f"NOT_WRITERS with the reason: {unlisted}")
    assert not stale, f"listed in NOT_WRITERS but without a write-shaped call any more: {stale}"


def test_carried_writers_are_called_only_where_the_list_says():
    writers = writer_modules()
    trees = {name: ast.parse(path.read_text(encoding="utf-8"))
             for name, path in {**_source_modules(migrations=True),
                                "concord.conftest": ROOT / "conftest.py"}.items()}
    used = {name: references(tree) for name, tree in trees.items()}
    wrong = []
    for qualified, entry in CARRIED.items():
        own = next(m for m in writers if qualified.startswith(m + "."))
        refs = entry.refs or (qualified.rsplit(".", 1)[-1],)
        for module, names in used.items():
            if module == own or not names & set(refs):
                continue
            allowed = writers if entry.callers == WRITERS else entry.callers
            if module not in allowed:
                wrong.append(f"{module} uses {qualified}")
    assert not wrong, ("a function whose audit event its caller records is called from a module not named in "
                       f"CARRIED (that caller must record the event and be listed): {wrong}")


def test_raw_driver_writes_are_known():
    """Writes that do not go through Django's cursor (and so past the tracker's hook) must be wrapped by it."""
    raw = re.compile(r"connection\.connection\b|\.cursor\.copy\(|cursor\(\)\.cursor\b|raw_connection")
    found = set()
    for name, path in _source_modules().items():
        text = path.read_text(encoding="utf-8")
        if not raw.search(text):
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef) and raw.search(ast.get_source_segment(text, node) or ""):
                inner = {n.name for n in ast.walk(node) if isinstance(n, ast.FunctionDef) and n is not node}
                if not inner:
                    found.add((name, node.name))
    reads = {("concord.eod.dbio", "_read_pg")}  # COPY (query) TO STDOUT
    assert found - reads <= tracking.RAW_PATHS, f"raw-driver paths the tracker does not wrap: {found - reads}"


# -- every exercised writer audits every write, in its transaction -------------------------------------------------
@pytest.fixture
def ctx(world, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    settings.CONCORD_IMPORT_DIR = tmp_path / "imports"
    settings.CONCORD_IMPORTS_INLINE = True
    return Ctx(world, tmp_path)


@pytest.mark.parametrize("key", sorted(SCENARIOS))
def test_the_writer_audits_every_write_in_its_own_transaction(key, ctx, monkeypatch):
    call = SCENARIOS[key](ctx)
    counts = tracking.row_counts()
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with tracking.tracking(monkeypatch) as tracker:
        call()
    assert tracker.writes, f"{key} wrote nothing: the scenario does not exercise it"
    assert tracker.audit_events(), f"{key} recorded no audit event"
    unaudited = tracker.unaudited()
    assert not unaudited, f"{key} wrote without an audit event in the same transaction: " + "; ".join(
        f"{w.statement} ({'autocommit' if w.transaction is None else 'transaction without an event'})"
        for w in unaudited)
    after = tracking.row_counts()
    escaped = {t for t in after if after[t] != counts.get(t) and t not in tracker.tables()}
    assert not escaped, f"rows changed in {sorted(escaped)} without a write the tracker saw"
    pii = tracking.plaintext_pii()
    for event in AuditEvent.objects.filter(id__gt=last_event):
        text = json.dumps([event.object_id, event.changes], ensure_ascii=False, default=str)
        leaked = sorted(value for value in pii if value in text)
        assert not leaked, f"{key}: audit event {event.action} holds personal data in clear: {leaked}"


# -- the tracker itself --------------------------------------------------------------------------------------------
def test_the_tracker_tells_audited_from_unaudited_writes(world, monkeypatch):
    from django.db import transaction

    from concord.cases.models import Case
    from concord.core import audit, bulk
    from concord.debtors.models import Employment

    case = world.cases["a"]

    def write():
        Case.objects.filter(pk=case.pk).update(max_dpd=1)

    def insert():  # the raw-driver path: executemany on SQLite, COPY on PostgreSQL
        bulk.insert_rows(Employment, [{"debtor_id": case.debtor_id, "employer_name": "某公司"}])

    def event():
        audit.record(None, "test.event", case)

    def run(body) -> list:
        with tracking.tracking(monkeypatch) as tracker:
            body()
        return [w.table for w in tracker.unaudited()]

    def in_transaction(*steps):
        def body():
            with transaction.atomic():
                for step in steps:
                    step()
        return body

    def undone_event():
        try:
            with transaction.atomic():
                event()
                raise RuntimeError("roll the event back")
        except RuntimeError:
            pass

    def event_apart():
        with transaction.atomic():
            event()

    assert run(write) == ["cases_case"]                                            # autocommit
    assert run(in_transaction(write, insert)) == ["cases_case", "debtors_employment"]  # no event
    assert run(in_transaction(write, insert, event)) == []
    assert run(in_transaction(event, write)) == []                                 # the event may come first
    assert run(in_transaction(write, undone_event)) == ["cases_case"]              # its event rolled back
    assert run(lambda: (in_transaction(write)(), event_apart())) == ["cases_case"]  # event in another transaction
