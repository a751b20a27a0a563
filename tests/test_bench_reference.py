"""bench/accuracy.py's reference: tuned per target for stance data, columns in the asked order."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from _reference import C_GRID, fit  # noqa: E402

FOR = ["we back the plan", "the plan deserves support", "a fine idea", "good for us all"]
AGAINST = ["the plan is a disaster", "nobody asked for it", "a waste of money", "scrap it"]


def stance_rows(target: str, flip: bool = False) -> pd.DataFrame:
    rows = []
    for i in range(6):
        for words, label in ((FOR, "favor"), (AGAINST, "against")):
            if flip:
                label = "against" if label == "favor" else "favor"
            rows.append(
                {"text": f"{words[i % 4]} on {target} {i}", "label": label, "target": target}
            )
    return pd.DataFrame(rows)


def test_one_model_per_target_learns_that_targets_stance():
    # The same words mean favour toward one target and against toward the other.
    train = pd.concat([stance_rows("parks"), stance_rows("parking fees", flip=True)])
    reference = fit(train)
    assert sorted(reference.per_target) == ["parking fees", "parks"]
    assert all(c in C_GRID for c in reference.chosen)
    test = pd.DataFrame({"text": ["we back the plan now"] * 2, "target": ["parks", "parking fees"]})
    proba = reference.proba(test, ["none", "favor", "against"])
    assert proba.shape == (2, 3)
    assert (proba[:, 0] == 0).all()  # a label no model saw gets probability 0
    assert proba[0].argmax() == 1 and proba[1].argmax() == 2


def test_a_target_absent_from_training_is_scored_by_a_model_of_every_row():
    reference = fit(stance_rows("parks"))
    test = pd.DataFrame({"text": ["a waste of money again"], "target": ["libraries"]})
    proba = reference.proba(test, ["favor", "against"])
    assert proba[0].argmax() == 1
    assert reference.overall is not None
