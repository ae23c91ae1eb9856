"""The replay page in a real browser (headless Chromium) draws what the records hold.

The page is opened with a small test script appended: it seeks to instants chosen here,
reads back what is drawn (``window.simlibReplay.counts()``: tokens per waiting area, busy
windows, who has left) and prints it into the DOM, which ``--dump-dom`` hands back.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from simlib import reforms
from simlib.cli import main
from simlib.engine import simulate
from simlib.engine.records import OUTCOMES
from simlib.files import load_scenario
from simlib.metrics import kpis
from simlib.reforms import apply_reforms
from simlib.timekeeping import DAY
from simlib.visual import replay
from tests.replay_hall import (
    DAY_NO,
    booked_hall,
    event_times,
    expected_at,
    hall,
    queued,
    sample_times,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[2]
TEST_SCRIPT = """<script>
(function () {
  const R = window.simlibReplay, out = { readyMs: R.readyMs, samples: [] };
  for (const t of TIMES) { R.seek(t); out.samples.push(R.counts()); }
  R.seek(R.data.span[1]); out.end = R.counts();
  const [a, b] = R.data.span, frames = 120, t0 = performance.now();
  for (let k = 0; k < frames; k++) R.seek(a + (b - a) * k / frames);  // a day played in frames
  out.frameMs = (performance.now() - t0) / frames;
  R.seek(a); R.play();  // and it plays: two seconds at the default 10 simulated min/s
  setTimeout(() => {
    R.pause(); out.played = R.counts().t - a;
    const pre = document.createElement("pre"); pre.id = "simlib-test";
    pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
  }, 2000);
})();
</script>"""


def open_replay(page: Path, times: list[float], tmp_path: Path) -> dict:
    """Open ``page`` in headless Chromium, seek to ``times`` (minutes of the day), and
    return what the page reports (plus the JavaScript errors, if any)."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it from the distribution's packages")
        pytest.skip("chromium not installed (apt-get install chromium)")
    probe = tmp_path / f"probe-{page.stem}.html"
    script = TEST_SCRIPT.replace("TIMES", json.dumps(times))
    probe.write_text(
        page.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8"
    )
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r'<pre id="simlib-test">(.*?)</pre>', result.stdout, re.S)
    errors = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert found, f"the page did not run its test script: {errors or result.stderr[-2000:]}"
    assert not errors, errors
    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module")
def small():
    scenario = hall()
    return scenario, simulate(scenario, 3)


def test_drawn_tokens_and_windows_equal_the_records(small, tmp_path: Path) -> None:
    scenario, records = small
    page = replay(records, scenario, 3, day=DAY_NO).save(tmp_path / "replay.html")
    origin = DAY_NO * DAY
    times = sample_times(records, DAY_NO, 20)
    seen = open_replay(page, [t - origin for t in times], tmp_path)
    waiting_somewhere = busy_somewhere = 0
    for t, sample in zip(times, seen["samples"], strict=True):
        drawn = sample["halls"][0]
        want = expected_at(records, scenario, t, 3)
        assert drawn["waiting"] == want["waiting"], (t, drawn, want)
        assert drawn["busy"] == want["busy"], (t, drawn, want)
        waiting_somewhere += sum(want["waiting"]) > 0
        busy_somewhere += sum(want["busy"]) > 0
    assert waiting_somewhere >= 5 and busy_somewhere >= 15  # the instants saw a busy hall
    assert 15 <= seen["played"] <= 21  # 2 s of playing at 10 min/s (frames: at most 20 min)

    # At the end of the day: served and left equal the records and the run's KPIs (the
    # hall's horizon ends with this day, so its hall KPIs are this day's).
    end = seen["end"]["halls"][0]
    v = records.visits
    day = v[v["kind"].isin(["submit", "return", "collect"]) & (v["ticket"] // DAY == DAY_NO)]
    outcomes = day["outcome"].value_counts()
    assert end["served"] == outcomes["served"]
    assert end["left"] == {"1": int(outcomes["reneged"])} and outcomes["reneged"] > 0
    k = kpis(records)
    assert end["served"] + sum(end["left"].values()) == len(day)
    assert sum(end["left"].values()) / len(day) == pytest.approx(k["abandon_rate"], abs=1e-12)
    assert end["waitSum"] / end["called"] == pytest.approx(k["hall_wait_mean_min"], abs=0.01)


def test_booked_tokens_and_balked_applicants_equal_the_records(tmp_path: Path) -> None:
    """A hall with bookings and balking: waiting tokens (booked ones among them) and busy
    windows at random instants, and who left how by the end of the day, as the records say."""
    scenario = booked_hall()
    records = simulate(scenario, 3)
    page = replay(records, scenario, 3, day=DAY_NO).save(tmp_path / "booked.html")
    v = queued(records)
    leaves = v["call"].fillna(v["end"]).fillna(float("inf"))
    # Booked applicants are called ahead of walk-ins, so few instants find one waiting: add
    # the middles of this day's booked waits (off any event) to the random instants.
    events = event_times(records)
    b = v[(v["kind"] == "booked") & (v["ticket"] // DAY == DAY_NO)]
    middles = ((b["joined"] + leaves[b.index]) / 2).dropna()
    middles = [t for t in middles if np.all(np.abs(events[~np.isnan(events)] - t) > 0.05)]
    times = sorted(sample_times(records, DAY_NO, 20) + middles[:5])
    seen = open_replay(page, [t - DAY_NO * DAY for t in times], tmp_path)
    booked_somewhere = 0
    for t, sample in zip(times, seen["samples"], strict=True):
        drawn, want = sample["halls"][0], expected_at(records, scenario, t, 3)
        assert (drawn["waiting"], drawn["busy"]) == (want["waiting"], want["busy"]), t
        booked = int(((v["kind"] == "booked") & (v["joined"] <= t) & (t < leaves)).sum())
        assert drawn["booked"] == booked, t
        booked_somewhere += booked > 0
    assert booked_somewhere >= 3
    end = seen["end"]["halls"][0]
    day = v[v["ticket"] // DAY == DAY_NO]["outcome"].value_counts()
    codes = {
        name: str(OUTCOMES.index(name)) for name in ("reneged", "balked", "no_show", "refused")
    }
    assert end["served"] == day["served"]
    assert end["left"] == {codes[name]: int(day[name]) for name in codes if day[name]}
    assert day["balked"] > 0 and day["refused"] > 0 and day["no_show"] > 0


def test_side_by_side_has_the_same_applicants_in_both_halls(small, tmp_path: Path) -> None:
    scenario, records = small
    reform = apply_reforms(scenario, [reforms.comprehensive_windows()])
    page = replay(
        [records, simulate(reform, 3)], [scenario, reform], 3, labels=["baseline", "one queue"]
    ).save(tmp_path / "compare.html")
    times = sample_times(records, DAY_NO, 20)
    seen = open_replay(page, [t - DAY_NO * DAY for t in times], tmp_path)
    for sample in [*seen["samples"], seen["end"]]:
        base, other = sample["halls"]
        assert base["arrived"] == other["arrived"]  # same ticket ids at the same times
    assert len(seen["end"]["halls"][0]["arrived"]) > 100
    assert len(seen["end"]["halls"][1]["waiting"]) == 1  # one shared waiting area


def test_cli_writes_a_compare_page(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "hall.yaml"
    scenario.write_text(json.dumps(hall().model_dump(mode="json", exclude_none=True)))
    reform = tmp_path / "one_queue.yaml"
    reform.write_text("- {type: comprehensive_windows}\n")
    out = tmp_path / "replay.html"
    args = ["replay", str(scenario), "--compare", "--reform", str(reform), "--seed", "3"]
    assert main([*args, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert '"label":"baseline"' in text and '"label":"with one_queue"' in text
    assert main([*args[:2], "--compare", "--out", str(out)]) == 2
    assert "--compare needs --reform" in capsys.readouterr().err
    assert main([*args, "--day", "5", "--out", str(out)]) == 2
    assert "day 5 is not a working day" in capsys.readouterr().err


def test_a_district_day_is_small_and_fast(tmp_path: Path) -> None:
    """A full day of the district hall (about 1,700 tickets): at most 2 MB per 1,000
    tickets, ready in under a second, and a day's frames each drawn well within 1/30 s."""
    scenario = load_scenario(ROOT / "scenarios" / "new_district.yaml")
    records = simulate(scenario)
    started = time.process_time()
    page = replay(records, scenario).save(tmp_path / "district.html")
    build = time.process_time() - started
    tickets = len(json.loads(re.search(r'"id":(\[[^]]*\])', page.read_text()).group(1)))
    size = page.stat().st_size
    seen = open_replay(page, [600.0], tmp_path)
    print(
        f"district day: {tickets} tickets, {size / 1024:.0f} KB, built in {build:.2f} s CPU, "
        f"ready in {seen['readyMs']:.0f} ms, {seen['frameMs']:.1f} ms per frame"
    )
    assert tickets > 1000
    assert size <= 2_000_000 * tickets / 1000
    assert seen["readyMs"] < 1000
    assert seen["frameMs"] < 33
