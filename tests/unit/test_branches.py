"""Optional steps (``prob``) and steps taken only after another (``requires``): cases take
them at the fitted rates, and chains without them draw exactly what they drew before."""

from __future__ import annotations

import pytest
from scipy import stats

from simlib.engine import simulate
from simlib.scenario import ScenarioError
from tests.helpers import always_open, constant, desk_matter, exp


def _scenario(chain: list[dict]):
    pools = {"desk": {"count": 5}, "back": {"count": 20}}
    return always_open(20, 0, pools, [desk_matter(6.0, exp(2.0), chain=chain)], seed=4)


def _taken(records, step: str) -> set[int]:
    s = records.steps
    return set(s.loc[s["activity"] == step, "case"].astype(int))


def test_optional_and_required_steps_are_taken_at_their_rates() -> None:
    chain = [
        {"id": "check", "pool": "back", "time": exp(5.0)},
        {"id": "advice", "pool": "back", "time": exp(5.0), "prob": 0.3},
        {"id": "advice_check", "pool": "back", "time": exp(5.0), "prob": 0.8, "requires": "advice"},
        {
            "parallel": [
                {"id": "print", "pool": "back", "time": constant(1.0)},
                {"id": "hold", "pool": "back", "time": constant(1.0), "prob": 0.1},
            ]
        },
    ]
    rec = simulate(_scenario(chain), 4)
    done = _taken(rec, "print")
    n = len(done)
    assert n > 2000
    advice, checked, hold = (_taken(rec, s) for s in ("advice", "advice_check", "hold"))
    assert checked <= advice  # never without the step it requires
    for k, trials, p in (
        (len(advice), n, 0.3),
        (len(checked), len(advice), 0.8),
        (len(hold), n, 0.1),
    ):
        # two-sided binomial test at 0.1 %: fails on a wrong rate (e.g. 0.8 unconditional -> 0.24)
        assert stats.binomtest(k, trials, p).pvalue > 1e-3, (k, trials, p)


def test_chain_without_branches_draws_as_before() -> None:
    """prob: 1 is the default: the same records, bit for bit; and an optional step added
    at the end leaves the earlier steps' times of every case unchanged."""
    base = [{"id": "check", "pool": "back", "time": exp(5.0)}]
    a = simulate(_scenario(base), 4).steps
    b = simulate(_scenario([{**base[0], "prob": 1.0}]), 4).steps
    assert a.equals(b)
    c = simulate(
        _scenario([*base, {"id": "extra", "pool": "back", "time": exp(1.0), "prob": 0.5}]), 4
    ).steps

    def work(s):  # per case: the check's duration (24/7 hall: work = end - start)
        chk = s[s["activity"] == "check"]
        return dict(zip(chk["case"].astype(int), chk["end"] - chk["start"], strict=True))

    wa, wc = work(a), work(c)
    common = set(wa) & set(wc)
    assert len(common) > 1000
    assert all(abs(wa[k] - wc[k]) < 1e-9 for k in common)


def test_requires_must_name_an_earlier_step() -> None:
    chain = [
        {"id": "a", "pool": "back", "time": exp(1.0), "requires": "b"},
        {"id": "b", "pool": "back", "time": exp(1.0)},
    ]
    with pytest.raises(ScenarioError, match=r"requires.*'b' is not an earlier step"):
        _scenario(chain)
