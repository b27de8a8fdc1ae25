"""Brent's root finder exactly as R's ``R_zeroin2`` (``src/library/stats/src/zeroin.c``) runs it.

Who calls it: :mod:`gennaker.canary.judge.mannwhitney`, to invert the Wilcoxon rank-sum test into a confidence
interval and a location estimate the way R's ``wilcox.test(..., conf.int = TRUE, exact = FALSE)`` does
(through ``uniroot(..., tol = 1e-4)``). Kayenta's judge carries its own port of the same routine, so following
it step by step is what makes our intervals equal Kayenta's.

Why a port and not any root finder: the function being solved is a *step* function of the shift ``d`` (a rank
sum), so its "root" is wherever the iteration happens to stop inside a jump. A different solver, or the same
one with other tolerances, stops elsewhere. This module therefore keeps every detail of ``zeroin``: the swap
that keeps ``b`` the best guess, the tolerance ``2·EPS·|b| + tol/2``, the inverse quadratic / secant step and
its acceptance rule, the minimum step of ``tol_act``, ``maxit + 1`` passes, and returning ``b`` (no error)
when it runs out.

Invariants: pure, no state, no I/O. ``f`` is called only at new abscissae; the end-point values are passed in.
"""

from __future__ import annotations

from collections.abc import Callable

#: DBL_EPSILON, the relative half of zeroin's convergence test.
EPSILON = 2.220446049250313e-16
#: The smallest positive double: Kayenta compares ``f`` with 0 within one ulp (``Precision.equals``).
_ONE_ULP_OF_ZERO = 5e-324

#: The tolerance and iteration limit ``wilcox.test`` gives ``uniroot`` (and Kayenta hard-codes).
WILCOX_TOL = 1e-4
WILCOX_MAXITER = 1000


def _is_zero(value: float) -> bool:
    return abs(value) <= _ONE_ULP_OF_ZERO


def zeroin(
    ax: float,
    bx: float,
    fa: float,
    fb: float,
    f: Callable[[float], float],
    *,
    tol: float = WILCOX_TOL,
    maxiter: int = WILCOX_MAXITER,
) -> float:
    """A root of ``f`` in ``[ax, bx]`` given ``fa = f(ax)`` and ``fb = f(bx)``, as R's ``R_zeroin2`` finds it.

    Like the C routine it never raises for a missing bracket or for running out of iterations: it returns its
    current best approximation ``b``.
    """
    a, b = ax, bx
    c, fc = a, fa
    if _is_zero(fa):
        return a
    if _is_zero(fb):
        return b
    passes = maxiter + 1
    while passes > 0:
        passes -= 1
        prev_step = b - a
        if abs(fc) < abs(fb):
            # Swap so that b is the best approximation.
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2.0 * EPSILON * abs(b) + tol / 2.0
        new_step = (c - b) / 2.0
        if abs(new_step) <= tol_act or _is_zero(fb):
            return b
        # Interpolation may be tried if the previous step was large enough and in the right direction.
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                # Only two distinct points: linear interpolation.
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                # Inverse quadratic interpolation.
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0.0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2.0) and p < abs(prev_step * q / 2.0):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0.0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            # Keep c on the other side of the root from b.
            c, fc = a, fa
    return b
