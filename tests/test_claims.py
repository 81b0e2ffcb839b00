"""Every claim of the post has a box in its chapter and a verdict its experiment supports."""
import json
import pathlib
import re

import pytest

from adaptive_lr.chapters.claims import VERDICTS, all_claims

CHAPTERS = pathlib.Path(__file__).resolve().parents[1] / "chapters"
CLAIMS = all_claims()


def test_the_twelve_claims_are_declared_once_each():
    assert [c.number for c in CLAIMS] == list(range(1, 13))
    assert all(c.verdict in VERDICTS and c.korean and c.english and c.reason for c in CLAIMS)


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: f"claim-{c.number}")
def test_the_experiment_supports_the_stated_verdict(claim):
    assert claim.check() == claim.verdict


def _markdown(chapter: str) -> str:
    cells = json.loads((CHAPTERS / f"{chapter}.ipynb").read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: f"claim-{c.number}")
def test_the_chapter_has_the_claim_box(claim):
    """A fenced admonition of class `claim`, named `claim-<n>`, with the Korean claim, the
    translation and the verdict."""
    text = _markdown(claim.chapter.replace("_", "-"))
    boxes = re.findall(r"(:{3,})\{admonition\}(.*?)\n\1", text, flags=re.S)
    box = next((b for _, b in boxes if re.search(rf":name: claim-{claim.number}\b", b)), None)
    assert box is not None, f"no admonition named claim-{claim.number} in {claim.chapter}"
    assert re.search(r":class:.*\bclaim\b", box)
    assert re.search(r"[\uac00-\ud7a3]", box), "the claim in Korean"
    assert claim.verdict in box or "claim_" in box, "the verdict, written or glued"
