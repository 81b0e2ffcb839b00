"""Tests of adaptive_lr.robustness: the conditions of the protocol, the spread, the verdict."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import adaptive_lr as alr
from adaptive_lr import objectives
from adaptive_lr.robustness import PERTURBATION, best_on_grid, conditions, stress


def test_conditions_cover_the_protocol_with_relative_sizes():
    bowl = objectives.ill_conditioned()
    cases = conditions(bowl, seeds=(0, 1, 2), noise=0.1, starts=0.5)
    assert [c.kind for c in cases] == ["exact"] + ["perturbed"] * 3 + ["noisy"] * 3 + ["start"] * 3
    assert cases[0].objective is bowl and cases[0].name == "exact"
    scale = np.sqrt(np.mean(bowl.grad(bowl.start) ** 2))
    assert cases[1].objective.sigma == pytest.approx(PERTURBATION * scale)
    assert cases[4].objective.sigma == pytest.approx(0.1 * scale)
    reach = np.linalg.norm(bowl.start - bowl.minimizer)
    for case in cases[7:]:
        assert np.linalg.norm(case.start - bowl.start) == pytest.approx(0.5 * reach)
    assert len({tuple(c.start) for c in cases[7:]}) == 3            # seeds give other starts
    assert [c.kind for c in conditions(bowl, perturbation=0, noise=None, starts=0)] == ["exact"]
    assert_array_equal(conditions(bowl)[5].start, conditions(bowl)[5].start)  # deterministic


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(seeds=()), ValueError, "at least one seed"),
    (dict(seeds=(-1,)), ValueError, "seeds entries"),
    (dict(noise=0.0), ValueError, "noise"),
    (dict(perturbation=-1e-12), ValueError, "perturbation"),
])
def test_conditions_refuse_bad_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        conditions(objectives.ill_conditioned(), **kwargs)
    with pytest.raises(TypeError, match="Objective"):
        conditions("bowl")


def test_stress_catches_the_exact_zero_gradient_artifact():
    """RMSProp lands exactly on the moved minimum of NonStationary (gradient exactly 0) and
    seems to sit there; the tiny perturbation shows the limit cycle at about ρ/√2."""
    moving = objectives.NonStationary()

    def experiment(objective, start):
        run = alr.minimize(alr.RMSProp(lr=0.3, alpha=0.9), objective, start, 600)
        return {"distance": float(moving.distance_to_minimum(run.final_theta, 600))}

    spread = stress(experiment, moving, seeds=(0, 1, 2), noise=None, starts=0)
    assert spread.values("distance", "exact")[0] < 1e-12
    assert_allclose(spread.values("distance", "perturbed"), 0.3 / np.sqrt(2), rtol=0.05)
    assert spread.verdict(lambda m: m["distance"] < 0.01) == "flips"
    assert spread.verdict(lambda m: m["distance"] < 1.0) == "holds"
    assert spread.verdict(lambda m: m["distance"] > 1.0) == "fails"
    text = str(spread.table())
    assert "exact" in text and "perturbed     0.212" in text


def test_stress_accepts_a_number_and_refuses_changing_metrics():
    bowl = objectives.ill_conditioned()
    spread = stress(lambda o, s: float(o.value(s)), bowl, seeds=(0,), noise=None)
    assert spread.metrics == ["value"] and len(spread.results) == 3
    calls = iter(range(10))
    with pytest.raises(ValueError, match="returned metrics"):
        stress(lambda o, s: {"a": 1.0} if next(calls) == 0 else {"b": 1.0}, bowl, seeds=(0,))
    with pytest.raises(TypeError, match="function of"):
        stress(None, bowl)
    with pytest.raises(ValueError, match="metric must be one of"):
        spread.values("nope")


def test_best_on_grid_says_whether_the_grid_brackets_the_optimum():
    grid = [0.01, 0.1, 1.0, 10.0]
    inside = best_on_grid([3.0, 1.0, 2.0, np.nan], grid)
    assert (inside.index, inside.value, inside.score, inside.bracketed) == (1, 0.1, 1.0, True)
    edge = best_on_grid([3.0, 2.0, 1.5, 1.0], grid)
    assert edge.value == 10.0 and not edge.bracketed
    assert best_on_grid([1.0, 2.0, 3.0], grid[:3], lower_is_better=False).value == 1.0
    with pytest.raises(ValueError, match="every score is NaN"):
        best_on_grid([np.nan] * 3, grid[:3])
    with pytest.raises(ValueError, match="length ≥ 3"):
        best_on_grid([1.0, 2.0], grid[:2])
