"""The port of R's zeroin on functions whose roots are known."""

from __future__ import annotations

import math

import pytest

from gennaker.canary.judge.zeroin import zeroin


def test_finds_a_smooth_root_within_the_tolerance() -> None:
    f = lambda x: x * x - 2  # noqa: E731
    root = zeroin(0.0, 2.0, f(0.0), f(2.0), f, tol=1e-10)
    assert root == pytest.approx(math.sqrt(2), abs=1e-10)


def test_default_tolerance_is_wilcox_tests() -> None:
    f = lambda x: x - 0.123456789  # noqa: E731
    root = zeroin(-10.0, 10.0, f(-10.0), f(10.0), f)
    assert abs(root - 0.123456789) <= 1e-4


def test_returns_an_endpoint_whose_value_is_zero_without_calling_f() -> None:
    def never(_: float) -> float:
        raise AssertionError("f must not be called")

    assert zeroin(3.0, 5.0, 0.0, 1.0, never) == 3.0
    assert zeroin(3.0, 5.0, -1.0, 0.0, never) == 5.0


def test_step_function_root_is_a_point_inside_the_jump() -> None:
    f = lambda x: 1.0 if x < 0.3 else -1.0  # noqa: E731
    root = zeroin(-1.0, 1.0, 1.0, -1.0, f)
    assert abs(root - 0.3) <= 1e-4


def test_gives_up_after_maxiter_and_returns_its_best_guess() -> None:
    calls = 0

    def f(x: float) -> float:
        nonlocal calls
        calls += 1
        return 1.0  # never changes sign: no root

    zeroin(0.0, 1.0, 1.0, 1.0, f, tol=1e-300, maxiter=5)
    assert calls == 6  # maxiter + 1 passes, one evaluation each
