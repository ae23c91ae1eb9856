"""Which matters a reform touches, so that comparisons lead with them.

A pooled KPI averages over every matter, so a reform aimed at 20 permits a day reads as
"no effect" on a hall of 800 cases. A matter is touched when its own definition changes,
when a pool its cases pass through changes (staff, absences, backups, hours, order), or
when the hall or calendar changes and it has walk-ins.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from simlib.scenario.model import Matter, Scenario

__all__ = ["matter_of", "ordered_table", "touched_matters"]


def _pools_of(matter: Matter) -> set[str]:
    pools = {matter.acceptance.pool}
    for step in matter.steps():
        pool = getattr(step, "pool", None)
        if pool is not None:
            pools.add(pool)
    return pools


def touched_matters(base: Scenario, variant: Scenario) -> list[str]:
    """Ids of the matters whose cases may be affected by going from ``base`` to ``variant``
    (in the baseline's order)."""
    changed_pools = {
        p for p in set(base.pools) | set(variant.pools) if base.pools.get(p) != variant.pools.get(p)
    }
    everyone = base.hall != variant.hall or base.calendar != variant.calendar
    everyone = everyone or base.demand_factor != variant.demand_factor
    new = {m.id: m for m in variant.matters}
    out = []
    for m in base.matters:
        other = new.get(m.id)
        walk_ins = everyone and m.online_share < 1
        if other is None or other != m or _pools_of(m) & changed_pools or walk_ins:
            out.append(m.id)
    return out


def matter_of(kpi: str) -> str | None:
    """``"lead_time_mean_days[matter=permit]"`` -> ``"permit"``; None for other columns."""
    _, sep, rest = kpi.partition("[matter=")
    return rest[:-1] if sep else None


def ordered_table(table: pd.DataFrame, touched: dict[str, list[str]]) -> pd.DataFrame:
    """A comparison table (one row per variant and KPI) with ``matter`` and ``touched``
    columns, each variant's rows in the order a planner reads them: the matters it touches
    first, then the pooled KPIs, then the other matters, then pools and hours."""
    if table.empty:
        return table.assign(matter=None, touched=False)
    matter = table["kpi"].map(matter_of)
    is_touched = [
        isinstance(m, str) and m in touched.get(v, [])
        for v, m in zip(table["variant"], matter, strict=True)
    ]
    out = table.assign(matter=matter, touched=is_touched)

    def rank(row: Any) -> int:
        if row.touched:
            return 0
        if "[" not in row.kpi:
            return 1
        return 2 if isinstance(row.matter, str) else 3

    variants = list(dict.fromkeys(table["variant"]))
    out = out.assign(_v=out["variant"].map(variants.index), _r=[rank(r) for r in out.itertuples()])
    return out.sort_values(["_v", "_r"], kind="stable").drop(columns=["_v", "_r"])
