"""Chain maps: what is drawn (read back from the DOT source) is what the scenario defines,
and a log map's frequencies are the event log's counts."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from simlib.cli import main
from simlib.engine import simulate
from simlib.eventlog import write_event_log
from simlib.files import scenario_from_dict
from simlib.visual.chains import chain_map, step_stats, to_dot
from simlib.visual.flowmap import columns_from_map, log_map, read_log

CHAINS = {
    "name": "chain hall",
    "horizon": {"days": 8, "warmup_days": 1},
    "pools": {"w": {"count": 3}, "r": {"count": 3}, "fire": {"count": 2}, "env": {"count": 2}},
    "matters": [
        {
            "id": "permit",
            "arrivals": {"per_day": 40},
            "complete_prob": 0.75,
            "acceptance": {"pool": "w", "time": {"dist": "exponential", "mean": 10}},
            "chain": [
                {
                    "id": "review",
                    "pool": "r",
                    "time": {"dist": "exponential", "mean": 30},
                    "rework_prob": 0.2,
                },
                {
                    "parallel": [
                        {
                            "id": "fire_check",
                            "pool": "fire",
                            "time": {"dist": "exponential", "mean": 40},
                        },
                        {
                            "id": "env_check",
                            "pool": "env",
                            "time": {"dist": "exponential", "mean": 40},
                        },
                    ]
                },
                {"id": "notice", "delay_days": 2},
                {"id": "sign", "pool": "r", "time": {"dist": "constant", "value": 5}},
            ],
            "handoff_days": 0.5,
            "collection": "in_person",
        },
        {
            "id": "filing",
            "arrivals": {"per_day": 20},
            "acceptance": {"pool": "w", "time": {"dist": "exponential", "mean": 6}},
        },
    ],
}
_EDGE = re.compile(r'^\s*"?([\w]+)"?\s*->\s*"?([\w]+)"?\s*(?:\[(.*)\])?\s*$')
_LABEL = re.compile(r'label="((?:[^"\\]|\\.)*)"|label=(\w+)')


def _label(attrs: str) -> str:
    m = _LABEL.search(attrs or "")
    text = next(g for g in m.groups() if g is not None) if m else ""
    return text.replace("\\n", "\n")


def dot_edges(source: str) -> dict[tuple[str, str], str]:
    """``{(src, dst): label}`` read from DOT source."""
    out = {}
    for line in source.splitlines():
        m = _EDGE.match(line)
        if m:
            out[(m.group(1), m.group(2))] = _label(m.group(3))
    return out


def dot_nodes(source: str) -> dict[str, str]:
    out = {}
    for line in source.splitlines():
        m = re.match(r'^\s*"?(\w+)"?\s*\[(.*)\]\s*$', line)
        if m and "->" not in line:
            out[m.group(1)] = _label(m.group(2))
    return out


def test_scenario_map_draws_the_chain_as_defined() -> None:
    scenario = scenario_from_dict(CHAINS)
    edges = dot_edges(to_dot(chain_map(scenario)).source)
    p = "permit__"
    assert edges == {
        (p + "start", p + "acceptance"): "",
        (p + "acceptance", p + "acceptance"): "incomplete: comes back 25 %",
        (p + "acceptance", p + "review"): "hand-off 0.5 d",
        (p + "review", p + "review"): "rework 20 %",
        (p + "review", p + "fork1"): "hand-off 0.5 d",
        (p + "fork1", p + "fire_check"): "",
        (p + "fork1", p + "env_check"): "",
        (p + "fire_check", p + "join1"): "",
        (p + "env_check", p + "join1"): "",
        (p + "join1", p + "notice"): "",
        (p + "notice", p + "sign"): "hand-off 0.5 d",
        (p + "sign", p + "decision"): "",
        (p + "decision", p + "collection"): "comes to collect",
        ("filing__start", "filing__acceptance"): "",
        ("filing__acceptance", "filing__decision"): "",
    }
    nodes = dot_nodes(to_dot(chain_map(scenario)).source)
    assert nodes[p + "review"].startswith("review\nr")
    assert nodes[p + "notice"] == "notice\nwait 2 d"


def test_scenario_map_shows_measured_waits_and_work() -> None:
    scenario = scenario_from_dict(CHAINS)
    records = simulate(scenario, 2)
    stats = step_stats(records)
    steps = records.steps.merge(records.cases[["matter"]], left_on="case", right_index=True)
    review = steps[(steps["matter"] == "permit") & (steps["activity"] == "review")]
    assert stats[("permit", "review")]["n"] == len(review) > 50
    assert stats[("permit", "review")]["wait"] == pytest.approx(
        (review["start"] - review["enqueued"]).mean()
    )
    # Working minutes: no more than the calendar span, and the review's mean (30) within noise.
    assert stats[("permit", "review")]["work"] <= (review["end"] - review["start"]).mean()
    assert stats[("permit", "review")]["work"] == pytest.approx(30, rel=0.25)
    label = dot_nodes(to_dot(chain_map(scenario, records, ["permit"])).source)["permit__review"]
    assert "wait " in label and "work " in label


def test_branches_draw_with_their_probabilities() -> None:
    """Optional steps (``prob``, ``requires``: issue 19's chain keys) read duck-typed, so the
    drawing is ready whether or not this schema has them yet."""
    from types import SimpleNamespace as NS

    from simlib.visual.chains import ProcessMap, _matter

    def step(sid, pool, **kw):
        return NS(
            id=sid, pool=pool, rework_prob=kw.pop("rework_prob", 0.0), applicant_visit=False, **kw
        )

    matter = NS(
        id="m",
        name=None,
        acceptance=NS(pool="w"),
        online_share=0.0,
        complete_prob=1.0,
        handoff=None,
        handoff_days=0.0,
        collection="none",
        chain=[
            step("check", "r", rework_prob=0.1),
            step("extra", "r", prob=0.3),
            step("extra_check", "r", prob=0.5, requires="extra"),
            NS(parallel=[step("a", "r", prob=0.4), step("b", "r")]),
        ],
    )
    pm = ProcessMap("t")
    _matter(pm, matter, {})
    edges = dot_edges(to_dot(pm).source)
    assert edges[("m__check", "m__check")] == "rework 10 %"
    assert edges[("m__check", "m__extra")] == "30 %"
    assert edges[("m__check", "m__fork3")] == "skip 70 %"  # past extra and what requires it
    assert ("m__check", "m__extra_check") not in edges
    assert edges[("m__extra", "m__extra_check")] == "after extra: 50 %"
    assert edges[("m__extra", "m__fork3")] == "skip 50 %"
    assert edges[("m__fork3", "m__a")] == "40 %"
    assert edges[("m__fork3", "m__join3")] == "skip a 60 %"
    assert edges[("m__fork3", "m__b")] == ""
    assert edges[("m__join3", "m__decision")] == ""


def test_unknown_matter_is_named() -> None:
    with pytest.raises(ValueError, match=r"no matter 'nope'.*permit, filing"):
        chain_map(scenario_from_dict(CHAINS), matters=["nope"])


@pytest.fixture(scope="module")
def event_log(tmp_path_factory) -> Path:
    records = simulate(scenario_from_dict(CHAINS), 2)
    return write_event_log(records, tmp_path_factory.mktemp("log") / "events.csv")


def test_log_map_frequencies_are_the_logs_counts(event_log: Path) -> None:
    log = pd.read_csv(event_log)
    source = to_dot(log_map(read_log(event_log, columns_from_map(None)))).source
    nodes, edges = dot_nodes(source), dot_edges(source)
    counts = log.groupby(["matter", "concept:name"]).size()
    for (matter, activity), n in counts.items():
        assert nodes[f"{matter}__{activity}"].endswith(f"\n{n}×"), (matter, activity)
    # Directly-follows counts, computed here with pandas: the next event of the same case.
    log = log.sort_values(
        ["case:concept:name", "time:start_timestamp", "time:timestamp"], kind="stable"
    )
    nxt = log.groupby("case:concept:name")["concept:name"].shift(-1).fillna("end")
    pairs = pd.Series(
        list(zip(log["matter"], log["concept:name"], nxt, strict=True))
    ).value_counts()
    for (matter, a, b), n in pairs.items():
        assert edges[(f"{matter}__{a}", f"{matter}__{b}")].split("\n")[-1] == str(n)
    # Rework shows as a loop: review directly followed by review.
    assert ("permit", "review", "review") in pairs.index


def test_simulated_log_map_is_the_written_logs(event_log: Path) -> None:
    """The map of a run drawn from its records equals the map of the log it writes."""
    from simlib.visual.flowmap import log_from_records

    records = simulate(scenario_from_dict(CHAINS), 2)
    direct = to_dot(log_map(log_from_records(records))).source
    assert direct == to_dot(log_map(read_log(event_log, columns_from_map(None)))).source


def test_log_columns_from_a_map_and_options(tmp_path: Path, event_log: Path) -> None:
    renamed = pd.read_csv(event_log).rename(
        columns={"case:concept:name": "file_no", "concept:name": "task", "time:timestamp": "done"}
    )
    path = tmp_path / "renamed.csv"
    renamed.to_csv(path, index=False)
    logmap = tmp_path / "map.yaml"
    logmap.write_text("events: {case: file_no, activity: task}\n")
    cols = columns_from_map(logmap, time="done")
    assert (cols.case, cols.activity, cols.time) == ("file_no", "task", "done")
    log = read_log(path, cols)
    assert len(log) == len(renamed) and log["start"].notna().all()
    with pytest.raises(ValueError, match=r"no column\(s\) 'case:concept:name'"):
        read_log(path, columns_from_map(None))


def test_cli_draws_svg_and_html(tmp_path: Path, event_log: Path, capsys) -> None:
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz's dot is missing: .ci/run installs it (apt-get install graphviz)")
        pytest.skip("Graphviz's dot not installed (apt-get install graphviz)")
    scenario = tmp_path / "chains.yaml"

    scenario.write_text(json.dumps(CHAINS))
    assert main(["chains", str(scenario), "--out", str(tmp_path / "c.svg")]) == 0
    svg = (tmp_path / "c.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "fire_check" in svg and "rework 20 %" in svg
    assert main(["chains", "--log", str(event_log), "--out", str(tmp_path / "log.html")]) == 0
    page = (tmp_path / "log.html").read_text()
    assert "<svg" in page and "http-equiv" not in page and 'src="http' not in page
    # A real log beside a simulated one: two maps in one page.
    two = ["chains", "--log", str(event_log), "--log", str(event_log)]
    assert main([*two, "--out", str(tmp_path / "two.html")]) == 0
    assert (tmp_path / "two.html").read_text().count("<svg") == 2
    assert main([*two, "--out", str(tmp_path / "two.svg")]) == 2
    assert "side by side in an .html file" in capsys.readouterr().err
    assert main(["chains", str(scenario), "--no-run", "--out", str(tmp_path / "c.dot")]) == 0
    assert "permit__review" in (tmp_path / "c.dot").read_text()
    assert "wait " not in (tmp_path / "c.dot").read_text().replace("wait 2 d", "")
    log_only = ["chains", "--log", str(event_log), "--matter", "nope"]
    assert main([*log_only, "--out", str(tmp_path / "x.svg")]) == 2
    assert "no events of ['nope']" in capsys.readouterr().err
    assert main(["chains", "--out", str(tmp_path / "x.svg")]) == 2
    assert "give a SCENARIO file or --log" in capsys.readouterr().err
    assert main(["chains", str(scenario), "--out", str(tmp_path / "x.png")]) == 2
    assert (
        main(["chains", "--log", str(tmp_path / "none.csv"), "--out", str(tmp_path / "x.svg")]) == 2
    )
    assert "no such event log" in capsys.readouterr().err
