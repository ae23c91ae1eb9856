"""The closed forms against values from the literature and against each other."""

from __future__ import annotations

import math

import pytest

from simlib import theory


def test_erlang_b_and_c_textbook_values() -> None:
    assert theory.erlang_b(1, 1.0) == pytest.approx(0.5)
    assert theory.erlang_b(2, 1.0) == pytest.approx(0.2)
    # M/M/1: P(wait) = rho, mean wait = rho / (mu - lam)
    assert theory.erlang_c(0.8, 1.0, 1) == pytest.approx(0.8)
    assert theory.mmc_mean_wait(0.8, 1.0, 1) == pytest.approx(4.0)
    assert theory.erlang_c(0.9, 0.1, 10) == pytest.approx(0.6687, abs=1e-4)


def test_service_level_and_staffing_agree() -> None:
    lam, mu = 0.9, 0.1
    assert theory.mmc_service_level(lam, mu, 10, 0.0) == pytest.approx(
        1 - theory.erlang_c(lam, mu, 10)
    )
    assert theory.mmc_service_level(lam, mu, 12, 20) > theory.mmc_service_level(lam, mu, 10, 20)
    c = theory.staff_for_wait(lam, mu, 2.0)
    assert theory.mmc_mean_wait(lam, mu, c) <= 2.0 < theory.mmc_mean_wait(lam, mu, c - 1)
    assert theory.square_root_staffing(lam, mu, beta=1.0) == math.ceil(9 + 3)


def test_pk_reduces_to_mm1_and_md1() -> None:
    assert theory.pk_mean_wait(0.8, 1.0, 1.0) == pytest.approx(theory.mmc_mean_wait(0.8, 1.0, 1))
    assert theory.pk_mean_wait(0.8, 1.0, 0.0) == pytest.approx(2.0)  # half the M/M/1 wait


def test_erlang_a_tends_to_erlang_c_for_patient_callers() -> None:
    patient = theory.erlang_a(0.8, 0.1, 1e-6, 10)
    assert patient["p_abandon"] < 1e-4
    assert patient["mean_wait_served"] == pytest.approx(
        theory.mmc_mean_wait(0.8, 0.1, 10), rel=1e-3
    )


def test_fork_join_lies_between_one_queue_and_the_series_sum() -> None:
    one = 1 / (1.0 - 0.5)
    assert one < theory.fork_join2_mean_response(0.5, 1.0) < 2 * one


def test_unstable_systems_are_refused() -> None:
    with pytest.raises(ValueError, match="unstable"):
        theory.mmc_mean_wait(1.0, 0.1, 10)


def test_cobham_priority_waits() -> None:
    # One class: Cobham is Pollaczek-Khinchine / Erlang C.
    (w,) = theory.priority_mg1_waits([0.8], [1.0], [2.0])
    assert w == pytest.approx(theory.mmc_mean_wait(0.8, 1.0, 1))
    (w,) = theory.priority_mmc_waits([0.9], 0.1, 10)
    assert w == pytest.approx(theory.mmc_mean_wait(0.9, 0.1, 10))
    # Two M/M/1 classes, rho 0.3 + 0.5: W1 = 0.8 / 0.7, W2 = 0.8 / (0.7 * 0.2).
    hi, lo = theory.priority_mg1_waits([0.3, 0.5], [1.0, 1.0], [2.0, 2.0])
    assert hi == pytest.approx(0.8 / 0.7)
    assert lo == pytest.approx(0.8 / 0.7 / 0.2)
    # Conservation (Kleinrock): the load-weighted wait equals the FIFO wait.
    assert (0.3 * hi + 0.5 * lo) / 0.8 == pytest.approx(theory.mmc_mean_wait(0.8, 1.0, 1))
    # M/M/c agrees with M/M/1 at c = 1, and conserves work at c = 3.
    assert theory.priority_mmc_waits([0.3, 0.5], 1.0, 1) == pytest.approx([hi, lo])
    waits = theory.priority_mmc_waits([1.0, 1.4], 1.0, 3)
    fifo = theory.mmc_mean_wait(2.4, 1.0, 3)
    assert (1.0 * waits[0] + 1.4 * waits[1]) / 2.4 == pytest.approx(fifo)
    with pytest.raises(ValueError, match="load"):
        theory.priority_mg1_waits([0.6, 0.5], [1.0, 1.0], [2.0, 2.0])


def test_mmck_known_values_and_limits() -> None:
    # M/M/1/K with rho = 1: every state equally likely, p_block = 1 / (K + 1).
    assert theory.mmck(1.0, 1.0, 1, 4)["p_block"] == pytest.approx(1 / 5)
    # M/M/c/c is Erlang B, with no wait.
    loss = theory.mmck(2.0, 0.5, 3, 3)
    assert loss["p_block"] == pytest.approx(theory.erlang_b(3, 4.0))
    assert loss["mean_wait"] == 0.0
    # A large K is M/M/c (Erlang C) for a stable load.
    big = theory.mmck(0.5, 0.25, 3, 400)
    assert big["p_block"] < 1e-12
    assert big["mean_wait"] == pytest.approx(theory.mmc_mean_wait(0.5, 0.25, 3))
    # M/M/1/2, rho = 1/2 by hand: p = (4, 2, 1) / 7, Lq = 1/7, admitted 6/7 of lam.
    hand = theory.mmck(0.5, 1.0, 1, 2)
    assert hand["p_block"] == pytest.approx(1 / 7)
    assert hand["mean_wait"] == pytest.approx((1 / 7) / (0.5 * 6 / 7))


def test_balking_chain_is_mmck_for_a_step_and_erlang_c_without_balking() -> None:
    step = theory.balking_chain(1.0, 0.25, 3, lambda q: 1.0 if q < 5 else 0.0)
    exact = theory.mmck(1.0, 0.25, 3, 8)
    assert step["p_balk"] == pytest.approx(exact["p_block"])
    assert step["mean_wait"] == pytest.approx(exact["mean_wait"])
    none = theory.balking_chain(0.5, 0.25, 3, lambda q: 1.0)
    assert none["p_balk"] == pytest.approx(0.0, abs=1e-12)
    assert none["mean_wait"] == pytest.approx(theory.mmc_mean_wait(0.5, 0.25, 3))
    # Linear balking lowers both the wait and the admitted rate below the step at its end.
    linear = theory.balking_chain(1.0, 0.25, 3, lambda q: max(0.0, 1 - q / 5))
    assert linear["mean_wait"] < exact["mean_wait"]
    assert linear["p_balk"] > exact["p_block"]


def test_gim1_is_mm1_for_poisson_and_dm1_by_hand() -> None:
    lam, mu = 0.7, 1.0
    assert theory.gim1_mean_wait(lambda s: lam / (lam + s), 1 / lam, mu) == pytest.approx(
        theory.mmc_mean_wait(lam, mu, 1), rel=1e-8
    )
    # D/M/1 at rho 1/2: sigma = exp(-2 (1 - sigma)) = 0.2031878...
    sigma = 0.20318786997997994
    assert sigma == pytest.approx(math.exp(-2 * (1 - sigma)))
    dm1 = theory.gim1_mean_wait(theory.slots_no_show_lst(2.0, 0.0), 2.0, 1.0)
    assert dm1 == pytest.approx(sigma / (1 - sigma), rel=1e-8)
    # No-shows: the gap is a geometric number of slots, mean a / (1 - p).
    lst = theory.slots_no_show_lst(3.0, 0.25)
    h = 1e-6
    assert lst(0.0) == pytest.approx(1.0)
    assert (1 - lst(h)) / h == pytest.approx(3.0 / 0.75, rel=1e-4)
    with pytest.raises(ValueError, match="unstable"):
        theory.gim1_mean_wait(theory.slots_no_show_lst(1.0, 0.0), 1.0, 1.0)
