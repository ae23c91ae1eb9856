"""Display names: a planner reads "Closing a company" and "front desk", not
``company_deregistration`` or ``front_desk``. Every id a scenario gives a ``name`` is
written by that name in the report's tables and charts; ids without one stay as they are
(they are what the planner wrote)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["Names"]


class Names:
    """The display names of one scenario's matters and pools (``scenario``: its dict, as
    ``study.json`` keeps it, or a :class:`~simlib.scenario.model.Scenario`)."""

    def __init__(self, scenario: Mapping[str, Any] | Any | None = None) -> None:
        if scenario is not None and not isinstance(scenario, Mapping):
            scenario = scenario.model_dump(mode="json")
        scenario = scenario or {}
        self.matters: dict[str, str] = {
            str(m["id"]): str(m["name"]) for m in scenario.get("matters") or [] if m.get("name")
        }
        self.pools: dict[str, str] = {
            str(k): str(p["name"])
            for k, p in (scenario.get("pools") or {}).items()
            if isinstance(p, Mapping) and p.get("name")
        }
        named = {**self.pools, **self.matters}
        self._all = named
        self._pattern = (
            re.compile(
                r"(?<![\w-])("
                + "|".join(map(re.escape, sorted(named, key=len, reverse=True)))
                + r")(?![\w-])"
            )
            if named
            else None
        )

    def __call__(self, ident: str) -> str:
        """A matter's or pool's display name (the id when it has none)."""
        return self._all.get(ident, ident)

    @property
    def mapping(self) -> dict[str, str]:
        """id -> display name, matters and pools."""
        return dict(self._all)

    def text(self, words: str) -> str:
        """``words`` with every named id (as a whole word) replaced by its display name."""
        if self._pattern is None:
            return words
        return self._pattern.sub(lambda m: self._all[m.group(1)], words)
