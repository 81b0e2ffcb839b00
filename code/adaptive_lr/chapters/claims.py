"""The seed post's twelve claims, each with the experiment that tests it and its verdict.

Every claim of the Korean post the book started from stands in the chapter that tests it, as
an admonition of class ``claim``: the claim in the post's terms (in Korean, in our words), an
English translation, the experiment, and the verdict. Each chapter module declares its claims
in a list ``CLAIMS`` of :class:`Claim`; :func:`all_claims` gathers the twelve for the Claims
page, and the test suite runs every claim's :attr:`Claim.check` and asserts that the verdict
it returns is the one the book states, so a change that flips a verdict fails the suite.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from ..objectives import NonStationary
from ..optim import RMSProp
from ..robustness import Spread, stress
from ..runs import minimize
from ..tables import Link, Table

__all__ = ["VERDICTS", "Claim", "all_claims", "claims_table", "exact_zero_artifact"]

#: The verdicts a claim can get.
VERDICTS = ("holds", "holds with a caveat", "fails")

#: The chapter modules that test claims, in reading order.
_CHAPTERS = ("one_learning_rate", "adagrad", "rmsprop")
_COUNT = 12


@dataclass(frozen=True)
class Claim:
    """One claim of the post.

    Attributes:
      number: its place in the post, 1 to 12.
      title: a short English name, e.g. ``"AdaGrad's rate stalls"``.
      korean: the claim in the post's terms (its key words kept, the sentence our own).
      english: a translation.
      chapter: the notebook that tests it (``"adagrad"``); its box has the label
        ``claim-<number>``.
      verdict: one of :data:`VERDICTS`.
      reason: one sentence: the caveat, or why it fails, or what the experiment showed.
      check: runs the experiment (a package function) and returns the verdict its results
        support; the tests assert it equals ``verdict``.
    """

    number: int
    title: str
    korean: str
    english: str
    chapter: str
    verdict: str
    reason: str
    check: Callable[[], str]

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if not 1 <= self.number <= _COUNT:
            raise ValueError(f"number must lie in [1, {_COUNT}], got {self.number}")


def all_claims() -> list[Claim]:
    """The twelve claims, in the post's order, from the chapter modules that test them."""
    claims = [c for name in _CHAPTERS
              for c in importlib.import_module(f"{__package__}.{name}").CLAIMS]
    numbers = sorted(c.number for c in claims)
    if numbers != list(range(1, _COUNT + 1)):
        raise ValueError(f"the chapters declare claims {numbers}, not 1 to {_COUNT} once each")
    return sorted(claims, key=lambda c: c.number)


def claims_table(claims: list[Claim] | None = None) -> Table:
    """The claims side by side: number, title, the Korean claim, its translation, the
    chapter that tests it and the verdict with its reason."""
    claims = all_claims() if claims is None else claims
    return Table(["#", "claim", "게시물의 주장", "in English", "tested in", "verdict"],
                 [[c.number, c.title, c.korean, c.english,
                   Link(c.chapter, f"{c.chapter}.html#claim-{c.number}"),
                   f"{c.verdict}: {c.reason}"] for c in claims], align="left")


def exact_zero_artifact(steps: int = 600, seeds=(0, 1, 2, 3, 4)) -> Spread:
    """The protocol's first catch: RMSProp (ρ = 0.3, α = 0.9) on the default
    :class:`~adaptive_lr.objectives.NonStationary` objective, its distance to the moved
    minimum after ``steps`` steps, exactly and under a tiny gradient perturbation.

    Exactly, the iterate lands on (3, −2) in floating point, where the gradient is exactly 0,
    so it seems to sit on the minimum; a relative perturbation of 1e-12 shows what RMSProp
    with a constant ρ really does there: it hovers at about ρ/√2.
    """
    moving = NonStationary()

    def distance(objective, start):
        run = minimize(RMSProp(lr=0.3, alpha=0.9), objective, start, steps)
        return {"distance": float(moving.distance_to_minimum(run.final_theta, steps))}

    return stress(distance, moving, seeds=seeds, noise=None, starts=0)
