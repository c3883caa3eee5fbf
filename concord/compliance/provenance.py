"""Which of a person's contact points a case may use, and where each came from (``debtors.provenance`` decides;
this module reads the creditors' sharing settings and the person's first case). Used by the gate
(``services.decide_contact`` names the source of the point it decides on and denies another creditor's point), the
contact options of the case page, outreach and field visits."""
from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from concord.creditors.models import Creditor
from concord.debtors.provenance import Source, source_for


def sharing_creditors() -> frozenset[int]:
    return frozenset(Creditor.objects.filter(share_contact_points=True).values_list("pk", flat=True))


def first_creditor(debtor) -> int | None:
    """The creditor of the person's first case (for points whose supplier was never recorded)."""
    cases = debtor.cases.all()
    if getattr(debtor, "_prefetched_objects_cache", {}).get("cases") is not None:
        ordered = sorted(cases, key=lambda c: c.pk)
        return ordered[0].creditor_id if ordered else None
    return cases.order_by("pk").values_list("creditor_id", flat=True).first()


class Sources:
    """The sources of a person's points for one case. The sharing settings and the person's first case are read
    once, and only when a point needs them (a point the case's creditor supplied needs neither: the case page's
    usual reads cost no query)."""

    def __init__(self, case):
        self.case = case

    @cached_property
    def sharing(self) -> frozenset[int]:
        return sharing_creditors()

    @cached_property
    def first(self) -> int | None:
        return first_creditor(self.case.debtor)

    def of(self, point) -> Source:
        suppliers = point.suppliers
        if self.case.creditor_id in suppliers and point.given_for_case_id in (None, self.case.pk):
            return source_for(suppliers=suppliers, given_for_case=point.given_for_case_id, case_id=self.case.pk,
                              case_creditor=self.case.creditor_id, first_creditor=None, sharing=frozenset())
        return source_for(suppliers=suppliers, given_for_case=point.given_for_case_id, case_id=self.case.pk,
                          case_creditor=self.case.creditor_id, first_creditor=None if suppliers else self.first,
                          sharing=self.sharing)

    def usable(self, points) -> list:
        return [p for p in points if self.of(p).usable]


def sources(case) -> Sources:
    """The case's :class:`Sources`, read once per case object (the case page asks from several sections)."""
    found = getattr(case, "_point_sources", None)
    if found is None:
        found = case._point_sources = Sources(case)
    return found


def usable_points(case, points=None) -> list:
    """The points of the case's debtor that the case may use (``points``: the debtor's, when already read)."""
    return sources(case).usable(case.debtor.contact_points.all() if points is None else points)


def describe(source: Source) -> dict:
    """The source as the gate's decision records it: kind, creditor code, case, and a sentence in both languages."""
    code = Creditor.objects.filter(pk=source.creditor_id).values_list("code", flat=True).first() or ""
    zh = {"debtor": _("债务人就本案提供"), "creditor": _("委托方 %(c)s 提供"),
          "shared": _("委托方 %(c)s 提供（双方允许共享）"), "other_creditor": _("委托方 %(c)s 提供，本案不可使用"),
          "unknown": _("来源不明")}[source.kind]
    return {"kind": source.kind, "creditor": code, "case": source.case_id,
            "text": zh % {"c": code} if "%(c)s" in zh else zh}
