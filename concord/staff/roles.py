"""Roles and what each may do: the one table that every view, API endpoint and service reads.

A capability names something a user may do or see; :data:`TABLE` gives the roles that have it. Code asks
``may(user, Capability.ASSIGN)`` or ``require_capability(user, Capability.ASSIGN)`` (a 403 with the reason), and querysets of
users filter on ``roles_with(Capability.…)``. Which cases a user sees at all is the role's *case scope*
(:func:`case_scope`), applied to every query by ``concord.core.access.restrict``.
"""
from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    MANAGER = "manager", _("催收经理")
    TEAM_LEAD = "team_lead", _("组长")
    COLLECTOR = "collector", _("催收员")
    COMPLIANCE = "compliance", _("合规专员")
    LEGAL = "legal", _("法务")
    FIELD_AGENT = "field_agent", _("外访员")
    CREDITOR_VIEWER = "creditor_viewer", _("委托方查看")
    OPERATOR = "operator", _("运维值班员")


class Capability(StrEnum):
    # what a role sees
    SEE_WHOLE_BOOK = "see_whole_book"            # every case (else the case scope below)
    READ_ONLY = "read_only"                      # reads what it sees, never writes
    REVEAL_PII = "reveal_pii"                    # shows a masked identifier in full (audited)
    EXPORT = "export"                            # case lists and activity logs to files (audited)
    VIEW_EOD = "view_eod"                        # the end-of-day runs page
    VIEW_REPORTS = "view_reports"                # the management reports (a team lead: their teams only)
    VIEW_AUDIT = "view_audit"                    # the audit trail: search, before/after, the chain's verification
    RUN_EOD = "run_eod"                          # start an end-of-day run from the page (a job of the worker)
    OPERATE = "operate"                          # the operations page: every job, the schedule (edit), cancel
    SEE_INTERNAL = "see_internal"                # the agency's own work on a case: the gate's previews, visits,
                                                 # the legal track (a creditor's viewer sees the case and ledger)
    # the borrower file, the ledger, the set-up
    EDIT_FILE = "edit_file"                      # contact points, profiles in the borrower file
    WRITE_LEDGER = "write_ledger"                # record and reverse payments
    CONFIGURE = "configure"                      # creditors, products, cases by hand, approval limits
    # cases and the workbench
    ASSIGN = "assign"                            # give cases to collectors
    ALLOCATION_RULES = "allocation_rules"        # write, preview, apply and roll back the allocation rules (分案)
    BULK_ACTIONS = "bulk_actions"                # act on many cases at once (reassign, pool, hold, messages)
    RECALL_CASES = "recall_cases"                # give cases back to their creditor (退案)
    TAKE_CASES = "take_cases"                    # be given cases (a collector, a lead, a field agent)
    WORK_CASES = "work_cases"                    # claim, call, record promises, tasks and notes
    LEAD_TEAM = "lead_team"                      # the team queue and who is working what
    PLAY_RECORDINGS = "play_recordings"          # replay calls (quality, complaints, disputes; audited)
    EDIT_SCRIPTS = "edit_scripts"                # the scripts for difficult conversations
    CONTACT_NEEDS_QUALIFICATION = "contact_needs_qualification"  # contacts only with a current exam and training
    # messages
    SEND_MESSAGES = "send_messages"              # SMS, e-mail and letters through the gate
    MANAGE_TEMPLATES = "manage_templates"        # write and approve message templates
    # arrangements
    PROPOSE_ARRANGEMENT = "propose_arrangement"
    APPROVE_ARRANGEMENT = "approve_arrangement"  # within the approver's authority
    RECORD_CREDITOR_DECISION = "record_creditor_decision"
    # compliance
    COMPLIANCE_CONSOLE = "compliance_console"    # holds, complaints, disputes, qualifications, decisions
    EDIT_RULES = "edit_rules"                    # a creditor's stricter overrides of its policy pack
    OWN_COMPLAINTS = "own_complaints"            # be the owner of a complaint or dispute
    # field visits
    REQUEST_VISIT = "request_visit"
    SCHEDULE_VISIT = "schedule_visit"
    VISIT = "visit"                              # go on a field visit as one of its agents
    # the legal track
    LEGAL_TRACK = "legal_track"                  # open and move the legal track, documents, costs
    READ_LEGAL_DOCUMENTS = "read_legal_documents"  # the legal track's list and its documents
    ACKNOWLEDGE_DEBT = "acknowledge_debt"        # record a debtor's written acknowledgement
    # the creditors' business
    STATEMENTS = "statements"                    # statements, commission, reconciliation, remittances (all creditors)
    CREDITOR_PORTAL = "creditor_portal"          # a creditor's own door: its batches, figures, statements to approve
                                                 # or query, reconciliation, file uploads — that creditor's only
    # signing in
    REQUIRE_TWO_FACTOR = "require_two_factor"    # must sign in with a one-time code (TOTP) as well as the password


R = Role
TABLE: dict[Capability, frozenset[Role]] = {
    Capability.SEE_WHOLE_BOOK: frozenset({R.ADMIN, R.MANAGER, R.COMPLIANCE, R.LEGAL}),
    Capability.READ_ONLY: frozenset({R.CREDITOR_VIEWER}),
    Capability.REVEAL_PII: frozenset({R.ADMIN, R.MANAGER, R.TEAM_LEAD, R.COLLECTOR, R.COMPLIANCE, R.LEGAL,
                                      R.FIELD_AGENT}),
    Capability.EXPORT: frozenset({R.ADMIN, R.MANAGER, R.COMPLIANCE, R.CREDITOR_VIEWER}),
    Capability.VIEW_EOD: frozenset({R.ADMIN, R.MANAGER, R.OPERATOR}),
    Capability.VIEW_REPORTS: frozenset({R.ADMIN, R.MANAGER, R.TEAM_LEAD}),
    Capability.VIEW_AUDIT: frozenset({R.COMPLIANCE, R.ADMIN}),
    Capability.RUN_EOD: frozenset({R.ADMIN, R.MANAGER, R.OPERATOR}),
    Capability.OPERATE: frozenset({R.ADMIN, R.OPERATOR}),
    Capability.SEE_INTERNAL: frozenset(set(Role) - {R.CREDITOR_VIEWER}),
    Capability.EDIT_FILE: frozenset({R.ADMIN, R.MANAGER, R.TEAM_LEAD, R.COLLECTOR}),
    Capability.WRITE_LEDGER: frozenset({R.ADMIN, R.MANAGER}),
    Capability.CONFIGURE: frozenset({R.ADMIN, R.MANAGER}),
    Capability.ASSIGN: frozenset({R.ADMIN, R.MANAGER, R.TEAM_LEAD}),
    Capability.ALLOCATION_RULES: frozenset({R.ADMIN, R.MANAGER}),
    Capability.BULK_ACTIONS: frozenset({R.ADMIN, R.MANAGER, R.TEAM_LEAD}),
    Capability.RECALL_CASES: frozenset({R.ADMIN, R.MANAGER}),
    Capability.TAKE_CASES: frozenset({R.COLLECTOR, R.TEAM_LEAD, R.FIELD_AGENT}),
    Capability.WORK_CASES: frozenset({R.ADMIN, R.MANAGER, R.TEAM_LEAD, R.COLLECTOR, R.FIELD_AGENT}),
    Capability.LEAD_TEAM: frozenset({R.ADMIN, R.MANAGER, R.TEAM_LEAD}),
    # Collectors do not replay calls: a recording is kept for the borrower's protection, not for re-listening.
    Capability.PLAY_RECORDINGS: frozenset({R.ADMIN, R.MANAGER, R.TEAM_LEAD, R.COMPLIANCE, R.LEGAL}),
    Capability.EDIT_SCRIPTS: frozenset({R.ADMIN, R.MANAGER}),
    Capability.CONTACT_NEEDS_QUALIFICATION: frozenset({R.COLLECTOR, R.TEAM_LEAD, R.FIELD_AGENT}),
    Capability.SEND_MESSAGES: frozenset({R.ADMIN, R.MANAGER, R.TEAM_LEAD, R.COLLECTOR, R.LEGAL}),
    Capability.MANAGE_TEMPLATES: frozenset({R.ADMIN, R.MANAGER, R.COMPLIANCE}),
    Capability.PROPOSE_ARRANGEMENT: frozenset({R.COLLECTOR, R.TEAM_LEAD, R.MANAGER, R.ADMIN}),
    Capability.APPROVE_ARRANGEMENT: frozenset({R.TEAM_LEAD, R.MANAGER, R.ADMIN}),
    Capability.RECORD_CREDITOR_DECISION: frozenset({R.MANAGER, R.ADMIN}),
    Capability.COMPLIANCE_CONSOLE: frozenset({R.COMPLIANCE, R.ADMIN, R.MANAGER}),
    Capability.EDIT_RULES: frozenset({R.COMPLIANCE, R.ADMIN}),
    Capability.OWN_COMPLAINTS: frozenset({R.COMPLIANCE}),
    Capability.REQUEST_VISIT: frozenset({R.ADMIN, R.MANAGER, R.TEAM_LEAD, R.COLLECTOR, R.FIELD_AGENT}),
    Capability.SCHEDULE_VISIT: frozenset({R.ADMIN, R.MANAGER, R.TEAM_LEAD}),
    Capability.VISIT: frozenset({R.FIELD_AGENT, R.COLLECTOR}),
    Capability.LEGAL_TRACK: frozenset({R.LEGAL, R.ADMIN, R.MANAGER}),
    Capability.READ_LEGAL_DOCUMENTS: frozenset({R.LEGAL, R.ADMIN, R.MANAGER, R.COMPLIANCE}),
    Capability.ACKNOWLEDGE_DEBT: frozenset({R.LEGAL, R.ADMIN, R.MANAGER, R.TEAM_LEAD, R.COLLECTOR}),
    Capability.STATEMENTS: frozenset({R.ADMIN, R.MANAGER}),
    Capability.CREDITOR_PORTAL: frozenset({R.CREDITOR_VIEWER}),
    # the roles that change who sees what, see the whole book or a creditor's portfolio from outside the agency
    # (a superuser of any role too); the others may enrol and are then asked as well
    Capability.REQUIRE_TWO_FACTOR: frozenset({R.ADMIN, R.MANAGER, R.COMPLIANCE, R.CREDITOR_VIEWER, R.OPERATOR}),
}

#: What a role *is* rather than what it may do: a superuser gets every other capability whatever their role,
#: never these (being read-only, needing a qualification to contact, taking cases, visiting, owning complaints).
ROLE_ONLY = frozenset({Capability.READ_ONLY, Capability.CREDITOR_PORTAL, Capability.CONTACT_NEEDS_QUALIFICATION, Capability.TAKE_CASES,
                       Capability.VISIT, Capability.OWN_COMPLAINTS})

#: Which cases a role sees when it does not see the whole book: the cases assigned to the user, their teams'
#: cases, or their creditor's portfolio. A role in neither sees nothing.
CASE_SCOPE: dict[Role, str] = {R.COLLECTOR: "assigned", R.FIELD_AGENT: "assigned", R.TEAM_LEAD: "team",
                               R.CREDITOR_VIEWER: "creditor"}

#: The approval ladder for arrangements, lowest authority first (an amount beyond one rung goes to the next).
APPROVAL_LADDER: tuple[Role, ...] = (R.COLLECTOR, R.TEAM_LEAD, R.MANAGER)


def roles_with(capability: Capability) -> frozenset[Role]:
    return TABLE[Capability(capability)]


def active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def may(user, capability: Capability) -> bool:
    """Whether ``user`` (logged in, active) has ``capability``: by their role, or as a superuser."""
    if not active(user):
        return False
    capability = Capability(capability)
    if getattr(user, "role", None) in TABLE[capability]:
        return True
    return bool(getattr(user, "is_superuser", False)) and capability not in ROLE_ONLY


def require_capability(user, capability: Capability) -> None:
    """Raise PermissionDenied (a 403 with the reason) unless ``user`` has ``capability``."""
    if not may(user, capability):
        raise PermissionDenied(_("您的角色无权执行此操作"))


def case_scope(user) -> str:
    """``book`` (every case), ``assigned``, ``team``, ``creditor`` or ``none``."""
    if not active(user):
        return "none"
    if may(user, Capability.SEE_WHOLE_BOOK):
        return "book"
    scope = CASE_SCOPE.get(user.role, "none")
    return "none" if scope == "creditor" and not user.creditor_id else scope
