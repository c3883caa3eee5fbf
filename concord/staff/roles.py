"""Roles and what each may do. Pure data: the access filters and views read it."""
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


#: Roles that see every case in the book.
PORTFOLIO_WIDE = {Role.ADMIN, Role.MANAGER, Role.COMPLIANCE, Role.LEGAL}
#: Roles that may reveal a masked identifier (each reveal is audited).
MAY_REVEAL_PII = {Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.COLLECTOR, Role.COMPLIANCE, Role.LEGAL,
                  Role.FIELD_AGENT}
#: Roles that may record or reverse payments and edit borrower files.
MAY_WRITE_LEDGER = {Role.ADMIN, Role.MANAGER}
MAY_EDIT_FILE = {Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.COLLECTOR}
#: Roles that may assign cases.
MAY_ASSIGN = {Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD}
#: Roles that may set up creditors and products.
MAY_CONFIGURE = {Role.ADMIN, Role.MANAGER}
READ_ONLY = {Role.CREDITOR_VIEWER}
