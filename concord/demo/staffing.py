"""Demo teams and users: one login per role, all with the same demo password.

There is no staff service module yet, so the rows are created here directly — in one transaction, each with
an audit event, like a service would. Only the demo uses this.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from concord.core import audit, clock
from concord.staff.models import Team, User
from concord.staff.roles import Capability, Role, roles_with

#: The one password of every demo login. A demo only: never seed a database people will really use.
DEMO_PASSWORD = "concord-demo"

#: (team name, buckets it works). The field team (外访组) takes late cases where a visit is worth it.
TEAMS = [
    ("早期组", ["M1", "M2"]),
    ("中期组", ["M3", "M4"]),
    ("后期组", ["M5", "M6", "M7+"]),
    ("外访组", ["M4", "M5", "M6", "M7+"]),
]
EARLY, MIDDLE, LATE, FIELD = (t[0] for t in TEAMS)
#: The team that works each bucket (the field team takes late cases with assets as well).
TEAM_FOR_BUCKET = {"M0": EARLY, "M1": EARLY, "M2": EARLY, "M3": MIDDLE, "M4": MIDDLE, "M5": LATE, "M6": LATE,
                   "M7+": LATE}


@dataclass(frozen=True)
class StaffSpec:
    username: str
    role: str
    last_name: str
    first_name: str
    team: str | None = None
    lead_of: str | None = None
    creditor: str | None = None  # creditor code, for creditor viewers
    capacity: int = 300


STAFF = [
    StaffSpec("admin", Role.ADMIN, "系统", "管理员"),
    StaffSpec("manager", Role.MANAGER, "周", "明远"),
    StaffSpec("lead1", Role.TEAM_LEAD, "陈", "静", team=EARLY, lead_of=EARLY, capacity=100),
    StaffSpec("lead2", Role.TEAM_LEAD, "刘", "洋", team=MIDDLE, lead_of=MIDDLE, capacity=100),
    StaffSpec("lead3", Role.TEAM_LEAD, "黄", "伟", team=LATE, lead_of=LATE, capacity=100),
    StaffSpec("lead4", Role.TEAM_LEAD, "赵", "磊", team=FIELD, lead_of=FIELD, capacity=50),
    StaffSpec("collector1", Role.COLLECTOR, "王", "芳", team=EARLY, capacity=800),
    StaffSpec("collector2", Role.COLLECTOR, "李", "娜", team=EARLY, capacity=800),
    StaffSpec("collector3", Role.COLLECTOR, "张", "敏", team=EARLY, capacity=800),
    StaffSpec("collector4", Role.COLLECTOR, "杨", "帆", team=EARLY, capacity=800),
    StaffSpec("collector5", Role.COLLECTOR, "吴", "强", team=MIDDLE, capacity=800),
    StaffSpec("collector6", Role.COLLECTOR, "徐", "丽", team=MIDDLE, capacity=800),
    StaffSpec("collector7", Role.COLLECTOR, "孙", "杰", team=LATE, capacity=800),
    StaffSpec("collector8", Role.COLLECTOR, "马", "超", team=LATE, capacity=800),
    StaffSpec("collector9", Role.COLLECTOR, "朱", "琳", team=LATE, capacity=800),
    StaffSpec("compliance", Role.COMPLIANCE, "胡", "慧"),
    StaffSpec("legal", Role.LEGAL, "郭", "律"),
    StaffSpec("field", Role.FIELD_AGENT, "何", "勇", team=FIELD, capacity=60),
    StaffSpec("field2", Role.FIELD_AGENT, "高", "峰", team=FIELD, capacity=60),  # visits need two people
    StaffSpec("viewer", Role.CREDITOR_VIEWER, "华盛", "查看", creditor="hsbank"),
    StaffSpec("ops", Role.OPERATOR, "林", "运维"),  # the operations page and the schedule (alerts by e-mail)
]
USERNAMES = [s.username for s in STAFF]


@dataclass
class Staff:
    teams: dict[str, Team]
    users: dict[str, User]

    def members(self, team: str, role: str = Role.COLLECTOR) -> list[User]:
        return [u for u in self.users.values() if u.team_id == self.teams[team].pk and u.role == role]


@transaction.atomic
def create_staff(creditors: dict, as_of=None) -> Staff:
    """Teams and one user per demo login; every row leaves an audit event (actor: system). Collectors are
    qualified to call on every day of the demo's history before ``as_of`` (default: today)."""
    password = make_password(DEMO_PASSWORD)  # hashed once: every demo login shares it anyway
    teams = {}
    for name, buckets in TEAMS:
        team = Team.objects.create(name=name, buckets=buckets)
        audit.record(None, "team.create", team, {"name": name, "buckets": buckets, "demo": True})
        teams[name] = team
    users = {}
    for spec in STAFF:
        user = User(username=spec.username, role=spec.role, last_name=spec.last_name, first_name=spec.first_name,
                    team=teams.get(spec.team), creditor=creditors.get(spec.creditor), capacity=spec.capacity,
                    is_staff=spec.role == Role.ADMIN, is_superuser=spec.role == Role.ADMIN, password=password,
                    email="ops@concord.example.cn" if spec.role == Role.OPERATOR else "")
        user.full_clean(exclude=["password"])
        user.save()
        audit.record(None, "user.create", user, {"username": user.username, "role": user.role,
                                                  "team": spec.team, "creditor": spec.creditor,
                                                  "superuser": user.is_superuser, "demo": True})
        users[spec.username] = user
        if spec.lead_of:
            team = teams[spec.lead_of]
            team.lead = user
            team.save(update_fields=["lead"])
            audit.record(None, "team.lead", team, {"lead": user.username})
        if spec.role in roles_with(Capability.CONTACT_NEEDS_QUALIFICATION):
            qualify(user, as_of)
    return Staff(teams, users)



def qualify(user: User, as_of=None) -> None:
    """The demo's collectors passed the pre-job exam last year and this year's refresher training a hundred days
    before ``as_of`` (so before the first day of the demo's history), through the compliance service (audited), so
    their calls are not refused for a lapsed qualification."""
    import datetime as dt

    from concord.compliance.services import record_qualification

    today = min(as_of or clock.today(), clock.today())
    record_qualification(None, user=user, kind="pre_job_exam", passed_on=today - dt.timedelta(days=400),
                         reference="DEMO-EXAM")
    record_qualification(None, user=user, kind="pre_job_training", passed_on=today - dt.timedelta(days=410),
                         reference="DEMO-TRAINING")
    record_qualification(None, user=user, kind="annual_refresher", passed_on=today - dt.timedelta(days=100),
                         reference="DEMO-REFRESHER")
