"""The shared line search of the batched Newton solvers (gdmaps.core.newton.backtrack)."""

import numpy as np

from gdmaps.core.newton import backtrack


def newton_on_squares(x0, target):
    """Newton directions on x^2 = target, and a trial that counts its evaluations."""
    X = np.asarray(x0, dtype=float)
    F = X**2 - target
    D = -F / (2 * X)
    calls = []

    def trial(sel, s):
        calls.append(np.arange(X.size)[sel])
        Y = X[sel] + s * D[sel]
        R = Y**2 - target[sel]
        return Y, R, np.abs(R)

    return trial, np.abs(F), calls


def test_full_steps_that_decrease_the_residual_are_taken_as_they_are():
    target = np.array([4.0, 9.0])
    trial, r, calls = newton_on_squares([1.5, 2.5], target)
    X, F, rn = backtrack(trial, r, np.ones(2), halvings=5)
    np.testing.assert_allclose(X, [1.5 + 1.75 / 3, 2.5 + 2.75 / 5])
    assert len(calls) == 1 and np.all(rn < r)


def test_only_the_candidates_that_got_worse_are_halved_and_evaluated_again():
    # from 0.1 the step overshoots to 20.05 (three halvings to 2.59375); from 1.5 it is fine
    target = np.array([4.0, 4.0])
    trial, r, calls = newton_on_squares([0.1, 1.5], target)
    X, F, rn = backtrack(trial, r, np.ones(2), halvings=10)
    assert X[0] == 0.1 + (20.05 - 0.1) / 8 and np.all(rn < r)
    assert [c.tolist() for c in calls[1:]] == [[0], [0], [0]]


def test_halvings_and_floor_bound_the_search():
    # every trial is worse: the factor is halved `halvings` times, or down to `floor`
    def trial(sel, s):
        Y = 1.0 + s
        return Y, Y, np.full(np.size(s), np.inf)

    for halvings, floor, last in [(3, 0.0, 1 / 8), (30, 1e-6, 2.0**-20)]:
        X, _, rn = backtrack(trial, np.array([1.0]), np.ones(1), halvings=halvings, floor=floor)
        assert X[0] == 1.0 + last and rn[0] == np.inf


def test_nan_residuals_never_count_as_a_decrease():
    def trial(sel, s):
        return s.copy(), s.copy(), np.full(np.size(s), np.nan)

    X, _, rn = backtrack(trial, np.array([1.0, 2.0]), np.array([1.0, 0.5]), halvings=2)
    np.testing.assert_array_equal(X, [0.25, 0.125])
    assert np.isnan(rn).all()
