"""What every page's menu and top bar show about the user's work (a template context processor): the started calls
whose outcome is not logged yet (a banner on every page) and the number of arrangements waiting for the user's
approval (beside 还款方案审批). Read lazily: a page that does not show them pays nothing."""
from __future__ import annotations

from functools import cached_property

from concord.staff.roles import Capability, may


class Menu:
    def __init__(self, request):
        self.request = request
        self.user = getattr(request, "user", None)

    @property
    def _worker(self) -> bool:
        return bool(self.user and self.user.is_authenticated and may(self.user, Capability.WORK_CASES))

    @cached_property
    def _started_calls(self) -> tuple[list, list]:
        """The user's started calls without an outcome: (those the collector logs by hand, those a telephony system
        is placing now — its call record will log them, so the banner only says the call is under way)."""
        if not self._worker:
            return [], []
        read = getattr(self.request, "concord_unlogged", None)     # the case page read them already
        if read is None:
            from concord.workbench.calls import unlogged_calls

            read = unlogged_calls(self.user)
        from concord.workbench import telephony

        if not telephony.switch():
            return read, []
        by_hand, on_switch = [], []
        for decision in read:
            (on_switch if telephony.placed_by_switch(decision) else by_hand).append(decision)
        return by_hand, on_switch

    @property
    def unlogged_calls(self) -> list:
        return self._started_calls[0]

    @property
    def calls_in_progress(self) -> list:
        return self._started_calls[1]

    @cached_property
    def undisposed_calls(self) -> list:
        """Answered calls the telephony system logged, still without the collector's disposition."""
        from concord.workbench import telephony

        if not self._worker or not telephony.switch():       # only a telephony system leaves calls to dispose of
            return []
        read = getattr(self.request, "concord_undisposed", None)   # the case page read them already
        if read is not None:
            return read
        from concord.workbench.calls import undisposed_calls

        return undisposed_calls(self.user)

    @cached_property
    def approvals(self) -> int:
        if not (self.user and self.user.is_authenticated and may(self.user, Capability.APPROVE_ARRANGEMENT)):
            return 0
        from concord.arrangements.selectors import approvals_queue

        return len(approvals_queue(self.user))


def menu(request) -> dict:
    return {"menu": Menu(request)}
