"""An explicit, ordered list of provider functions: an app above the end-of-day run (the learned scorecards, the
versioned strategies) registers its function in ``AppConfig.ready()``, and the run — or an app below — asks the
providers in registration order; the first answer other than None wins. Pure: no Django."""
from __future__ import annotations

from typing import Any, Callable


class Providers:
    def __init__(self) -> None:
        self._fns: list[Callable] = []

    def register(self, fn: Callable) -> None:
        if fn not in self._fns:
            self._fns.append(fn)

    def unregister(self, fn: Callable) -> None:
        if fn in self._fns:
            self._fns.remove(fn)

    def functions(self) -> list[Callable]:
        """The registered functions, in registration order (for callers that combine several answers)."""
        return list(self._fns)

    def first(self, *args) -> Any:
        """The first provider's answer that is not None (None when no provider answers)."""
        for fn in list(self._fns):
            found = fn(*args)
            if found is not None:
                return found
        return None
