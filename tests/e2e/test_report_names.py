"""Display names reach the planner's page: no raw id of a named matter or pool is printed in
the compare report's text, nor in a chart's labels."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pandas as pd
import yaml
from matplotlib.figure import Figure

from simlib import plots, simulate
from simlib.cli import main
from simlib.experiment.replicate import replicate
from simlib.files import scenario_from_dict
from simlib.metrics import kpi_info as metrics_kpi_info
from simlib.report import write_report
from simlib.report.names import Names
from simlib.verdict import kpi_info
from tests.e2e.test_compare import SMALL

RAW = ("company_deregistration", "building_permits", "front_desk", "review_office")


def _named() -> dict:
    s = copy.deepcopy(SMALL)
    s["pools"] = {
        "front_desk": {"count": 2, "name": "Front desk"},
        "wb": {"count": 2},
        "review_office": {"count": 2, "name": "Review office"},
        "r2": {"count": 2},
    }
    a, b = s["matters"]
    a.update(id="company_deregistration", name="Closing a company")
    a["acceptance"]["pool"] = "front_desk"
    a["chain"][0]["pool"] = "review_office"
    b.update(id="building_permits", name="Building permits")
    return s


def _labels(fig: Figure) -> str:
    """Every text a chart shows: titles, axis labels, tick labels, legends."""
    texts = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]
    return " ".join(texts)


def test_compare_report_prints_display_names_not_ids(tmp_path: Path) -> None:
    (tmp_path / "hall.yaml").write_text(yaml.safe_dump(_named()))
    (tmp_path / "study.yaml").write_text(
        "study: names\nbaseline: hall.yaml\nreplications: 2\nseed: 3\nvariants:\n"
        "  parallel: [{type: parallelize, matter: company_deregistration, steps: [s1, s2]}]\n"
        "  windows: [{type: comprehensive_windows}]\n"
    )
    out = tmp_path / "out"
    assert main(["compare", str(tmp_path / "study.yaml"), "--out", str(out), "--quiet"]) == 0
    page = write_report(out, pdf=False).read_text(encoding="utf-8")
    visible = re.sub(r'src="data:[^"]*"', "", page)
    for raw in RAW:
        assert raw not in visible, raw
    assert "Closing a company" in visible and "Front desk" in visible
    # the chart of a per-matter KPI is labelled by the matter's name
    table = pd.read_csv(out / "comparison.csv")
    column = "lead_time_mean_days[matter=company_deregistration]"
    names = {"company_deregistration": "Closing a company"}
    fig = plots.kpi_comparison(table, kpis=[column, "lead_time_mean_days"], names=names)
    text = _labels(fig)
    assert "Closing a company" in text and "company_deregistration" not in text


def test_hall_charts_use_display_names() -> None:
    result = replicate(scenario_from_dict(_named()), 2, seed=1)
    text = _labels(plots.utilization(result))
    assert "Front desk" in text and "Review office" in text
    assert "front_desk" not in text and "review_office" not in text
    records = simulate(scenario_from_dict(_named()), seed=1)
    names = Names(_named()).mapping
    text = _labels(plots.lead_time_by_matter(records, names=names))
    assert "Closing a company" in text and "company_deregistration" not in text
    text = _labels(plots.gantt(records, "front_desk", names=names))
    assert "Front desk" in text and "front_desk" not in text
    text = _labels(plots.queue_over_day(records, names=names))
    assert "Front desk" in text and "front_desk" not in text


def test_hours_are_written_as_clock_ranges() -> None:
    names = {"front_desk": "Front desk"}
    assert kpi_info("hall_wait_p90_min[hour=09]")[0].endswith("09:00–10:00")
    assert metrics_kpi_info("hall_wait_p90_min[hour=23]")[0].endswith("(23:00–00:00)")
    assert kpi_info("utilization[front_desk]", names)[0].endswith("(Front desk)")
    assert metrics_kpi_info("utilization[front_desk]", names)[0].endswith("(Front desk)")


def test_portfolio_requirements_are_written_in_words() -> None:
    from simlib.optimize.portfolio_spec import Need

    need = Need("on_time_rate", "company_deregistration", False, "min", 0.9, 0.01)
    words = need.words({"company_deregistration": "Closing a company"})
    assert words == "Decided within the time limit for Closing a company ≥ 90 %", words
    wait = Need("hall_wait_p90_min", None, True, "max", 20.0, 1.0).words()
    assert wait.endswith("in every hour ≤ 20 min") and "hall_wait" not in wait
