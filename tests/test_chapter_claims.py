"""Tests of adaptive_lr.chapters.claims that need no chapter's claims: the Claim record, the
table, and the protocol's first catch."""
import numpy as np
import pytest

from adaptive_lr.chapters.claims import Claim, claims_table, exact_zero_artifact


def claim(**changes):
    fields = dict(number=4, title="AdaGrad stalls", korean="학습률이 점점 작아져 학습이 지연된다",
                  english="the rate shrinks and learning stalls", chapter="adagrad",
                  verdict="holds", reason="proved bound", check=lambda: "holds")
    return Claim(**{**fields, **changes})


def test_claim_refuses_unknown_verdicts_and_numbers():
    with pytest.raises(ValueError, match="verdict must be one of"):
        claim(verdict="mostly")
    with pytest.raises(ValueError, match="number must lie in"):
        claim(number=13)


def test_claims_table_links_each_claim_to_its_box():
    table = claims_table([claim()])
    assert table.rows[0][4] == "adagrad" and table.rows[0][5] == "holds: proved bound"
    assert '<a href="adagrad.html#claim-4">adagrad</a>' in table._repr_html_()


def test_exact_zero_artifact_flips_under_the_tiny_perturbation():
    spread = exact_zero_artifact(steps=600, seeds=(0, 1))
    exact, perturbed = spread.values("distance", "exact"), spread.values("distance", "perturbed")
    assert exact[0] == 0.0                                   # lands exactly on the minimum
    np.testing.assert_allclose(perturbed, 0.3 / np.sqrt(2), rtol=0.01)   # hovers at ρ/√2
    assert spread.verdict(lambda m: m["distance"] < 0.01) == "flips"
