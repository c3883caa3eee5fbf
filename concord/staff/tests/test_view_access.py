"""Every page either restricts what it reads to the cases the user may see, or is open only to roles that see the
whole book — checked on the code of every view the URL configuration serves, so a new page cannot forget both.

How: each view (with the decorators around it and the functions of its own module it calls) is read as Python
syntax. It *restricts* when it calls ``core.access.restrict`` or a function that does (found across Concord, to any
depth: ``visible_cases``, ``visible_case_or_404``, ``visible_visits`` …). It is *limited* to a capability when it
refuses without it — ``require_capability(user, Capability.X)``, or ``if not may(user, Capability.X): raise …`` in the
view or a decorator (a decorator's capability may sit in its closure). A limited view passes when every role with
that capability sees the whole book (``Capability.SEE_WHOLE_BOOK``)."""
from __future__ import annotations

import ast
import functools
import importlib
import inspect
import textwrap
from pathlib import Path

from django.urls import URLResolver, get_resolver

from concord.staff.roles import Capability, roles_with

ROOT = Path(__file__).resolve().parents[3]

#: Pages that read no case data, with the reason.
NO_CASE_DATA = {
    "django.views.i18n.set_language": "switches the language",
    "django.contrib.auth.views.view": "login and logout",
    "concord.outreach.views.receipt": "the SMS provider's delivery receipts, authenticated by its token",
    "concord.outreach.views.inbound": "the SMS provider's inbound replies, authenticated by its token",
    "concord.workbench.views.home": "sends a user to their landing page by role: no case data",
    "concord.workbench.views.script_list": "the scripts for difficult conversations: no case data",
    "concord.workbench.views.script_edit": "the scripts for difficult conversations: no case data",
    "drf_spectacular.views.view": "the API's schema and its docs page",
    "concord.eod.views.runs": "the end-of-day runs and their aggregate figures (accounts per bucket, roll rates, "
                              "queue sizes, stage times): no case rows; managers and operators",
    "concord.operations.views.home": "jobs (kind, state, progress counts, who started them), workers, the schedule's "
                                     "slots and alerts: no case data; operators",
    "concord.operations.views.job_detail": "one job's progress, params (ids, dates) and result counts: no case data; "
                                           "its starter, operators, or the roles that watch its kind",
    "concord.operations.views.job_progress": "the progress fragment of a job (see job_detail)",
    "concord.operations.views.job_cancel": "asks a job to stop (see job_detail)",
    "concord.reports.views.export_file": "the file of the user's own export job, written from visible_cases(user) "
                                         "when the job ran (concord/reports/jobs.py)",
    "concord.operations.views.schedule": "the schedule's settings: no case data; operators",
    "concord.allocation.bulk_views.job": "a bulk or allocation job's progress, its request (action, how the cases "
                                         "were chosen) and result counts: no case rows; its starter or managers",
    "concord.staff.views.verify": "the user's own second factor at sign-in",
    "concord.staff.views.setup": "the user's own authenticator enrolment",
    "concord.staff.views.security_page": "the user's own two-factor settings and recovery codes",
    "concord.strategy.views.index": "the strategies (rules as data) and the experiments' list: no case data",
    "concord.strategy.views.detail": "a strategy's rules and version history: no case data",
    "concord.strategy.views.edit": "the strategy editor: no case data; those who configure",
    "concord.strategy.views.rollback": "saves an old strategy version as the newest: no case data",
    "concord.strategy.views.make_live": "switches the live strategy: no case data",
    "concord.strategy.views.experiment_new": "the form of a new experiment (strategy versions, shares): no case "
                                             "data",
}


def web_views():
    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                if not str(p.pattern).startswith(("admin/", "api/")):
                    yield from walk(p.url_patterns)
            else:
                yield p.callback
    seen = {}
    for view in walk(get_resolver().url_patterns):
        seen.setdefault(f"{view.__module__}.{view.__name__}", view)
    return seen


@functools.cache
def module_tree(module_name: str) -> ast.Module | None:
    module = importlib.import_module(module_name)
    try:
        return ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return None


@functools.cache
def restricters() -> frozenset[str]:
    """Names of the functions in Concord that call ``restrict`` or another such function."""
    defs: dict[str, set[str]] = {}
    for path in (ROOT / "concord").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defs.setdefault(node.name, set()).update(called_names(node))
    # reports.scope.scoped_filters limits the reports' daily history (Parquet, not a queryset) by the same case scope
    found = {"restrict", "scoped_filters"}
    while True:
        more = {name for name, calls in defs.items() if calls & found} - found
        if not more:
            return frozenset(found)
        found |= more


def called_names(node) -> set[str]:
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            f = n.func
            out.add(f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else "")
    return out


def capability_of(node, closure: dict) -> Capability | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Capability":
        return Capability[node.attr]
    if isinstance(node, ast.Name) and isinstance(closure.get(node.id), Capability):
        return closure[node.id]
    return None


def gates(node, closure: dict) -> set[Capability]:
    """The capabilities without which ``node``'s code refuses (raises)."""
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", "")) == "require_capability":
            if len(n.args) == 2 and (cap := capability_of(n.args[1], closure)):
                out.add(cap)
        if isinstance(n, ast.If) and isinstance(n.test, ast.UnaryOp) and isinstance(n.test.op, ast.Not):
            call = n.test.operand
            if (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "may" and len(call.args) == 2
                    and any(isinstance(b, ast.Raise) for b in n.body)):
                if cap := capability_of(call.args[1], closure):
                    out.add(cap)
    return out


def function_node(fn) -> ast.FunctionDef | None:
    try:  # the code object's source: inspect.getsource(fn) would unwrap a decorator's wrapper to the view
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn.__code__)))
    except (OSError, TypeError):
        return None
    return next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)


def same_module_helpers(fn_node, module_name: str, depth: int = 3) -> list[ast.FunctionDef]:
    """The functions of the view's own module that it calls, to ``depth`` levels."""
    tree = module_tree(module_name)
    if tree is None:
        return []
    local = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    out, frontier = [], [fn_node]
    for _ in range(depth):
        nxt = []
        for node in frontier:
            for name in called_names(node):
                if name in local and local[name] not in out and local[name] is not fn_node:
                    out.append(local[name])
                    nxt.append(local[name])
        frontier = nxt
    return out


def access(view):
    """(restricts, capabilities it is limited to) for a view, its decorators included."""
    restricts, caps = False, set()
    layer = view
    while layer is not None:
        closure = {name: cell.cell_contents for name, cell in zip(layer.__code__.co_freevars, layer.__closure__ or ())
                   if _filled(cell)} if hasattr(layer, "__code__") else {}
        node = function_node(layer)
        if node is not None and layer.__module__.startswith("concord"):
            nodes = [node, *same_module_helpers(node, layer.__module__)]
            restricts |= any(called_names(n) & restricters() for n in nodes)
            for n in nodes:
                caps |= gates(n, closure)
        layer = getattr(layer, "__wrapped__", None)
    return restricts, caps


def _filled(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def test_every_page_restricts_or_is_for_the_whole_book_roles_only(db):
    whole_book = roles_with(Capability.SEE_WHOLE_BOOK)
    problems = []
    for name, view in sorted(web_views().items()):
        if name in NO_CASE_DATA:
            continue
        restricts, caps = access(view)
        limited = any(roles_with(cap) <= whole_book for cap in caps)
        if not (restricts or limited):
            problems.append(f"{name}: neither restricts its rows nor is limited to roles that see the whole book "
                            f"(limited to: {sorted(caps) or 'nothing'})")
    assert not problems, "\n".join(problems)


def test_the_check_tells_a_restricting_page_from_an_open_one():
    from concord.cases import views as case_views
    from concord.compliance import views as compliance_views
    from concord.eod import views as eod_views

    assert access(case_views.case_list)[0]                     # visible_cases
    restricts, caps = access(compliance_views.holds)         # the console decorator
    assert Capability.COMPLIANCE_CONSOLE in caps
    assert Capability.VIEW_EOD in access(eod_views.runs)[1]   # if not may(…): raise

    def careless(request):
        from concord.cases.models import Case
        return list(Case.objects.all())

    assert access(careless) == (False, set())
