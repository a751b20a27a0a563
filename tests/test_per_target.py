"""One model per target (``target_mode="separate"``): routing, the fallback, calibration."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from stance_corpus import stance_rows

from classifier.targets import PerTargetLogisticRegression, with_target
from training.fit import FitConfig, build_pipeline
from training.select import apply_temperature

ROWS = stance_rows()
INPUTS = [with_target(text, target) for text, _, target in ROWS]
LABELS = [label.lower() for _, label, _ in ROWS]
UNSEEN = "A ban on it would be welcome in our street."


def fit(mode: str, inputs: list[str] = INPUTS, labels: list[str] = LABELS):
    return build_pipeline(FitConfig(targeted=True, target_mode=mode)).fit(inputs, labels)


@pytest.fixture(scope="module")
def separate():
    return fit("separate")


@pytest.mark.parametrize(
    ("target", "label"), [("Smoking", "against"), ("Vaping", "against"), ("Smoking ban", "favor")]
)
def test_each_target_labels_a_new_sentence_with_its_own_model(separate, target, label):
    assert separate.predict([with_target(UNSEEN, target)])[0] == label


@pytest.mark.parametrize("target", ["Cycling", None])
def test_a_target_never_seen_or_none_gets_the_augmented_models_answer(separate, target):
    augmented = fit("augmented")
    expected = augmented.predict_proba([with_target(UNSEEN, target)])

    got = separate.predict_proba([with_target(UNSEEN, target)])

    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_a_target_whose_rows_hold_one_label_gets_the_augmented_models_answer():
    extra = ["Cigars are sold in the old shop.", "A cigar costs more than it did."]
    inputs = INPUTS + [with_target(t, "Cigars") for t in extra]
    labels = LABELS + ["none", "none"]
    row = [with_target(UNSEEN, "Cigars")]

    got = fit("separate", inputs, labels).predict_proba(row)

    np.testing.assert_allclose(got, fit("augmented", inputs, labels).predict_proba(row), rtol=1e-6)


def test_a_label_a_target_never_had_gets_probability_zero():
    keep = [
        i for i, (_, label, target) in enumerate(ROWS) if target != "Vaping" or label != "AGAINST"
    ]
    pipeline = fit("separate", [INPUTS[i] for i in keep], [LABELS[i] for i in keep])

    proba = pipeline.predict_proba([with_target(UNSEEN, "Vaping")])

    assert list(pipeline.classes_) == ["against", "favor", "none"]
    assert proba[0, 0] == 0.0
    assert proba.sum() == pytest.approx(1.0)


def test_calibration_divides_the_logits_of_every_model():
    pipeline = fit("separate")
    rows = [with_target(UNSEEN, t) for t in ("Smoking", "Smoking ban", "Cycling")]
    before = pipeline.predict_proba(rows)

    pipeline[-1].scale_logits(2.0)

    np.testing.assert_allclose(pipeline.predict_proba(rows), apply_temperature(before, 2.0))


def test_features_without_target_numbers_are_refused():
    features = sparse.csr_matrix(np.array([[0.5, 1.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"first column must hold target numbers .* found 0\.5"):
        PerTargetLogisticRegression().fit(features, ["favor", "against"])


def test_the_feature_names_start_with_the_target_number(separate):
    names = separate[:-1].get_feature_names_out()
    assert names[0] == "word__(target number)"
    assert len(names) == separate[:-1].transform(INPUTS[:1]).shape[1]


@pytest.mark.parametrize(
    ("saved", "mode"),
    [
        ({"targeted": True}, "augmented"),
        ({"targeted": True, "target_mode": "separate"}, "separate"),
    ],
)
def test_configs_saved_before_target_modes_load_as_augmented(saved, mode):
    old = {k: v for k, v in FitConfig().to_dict().items() if k != "target_mode"}
    assert FitConfig.from_dict({**old, **saved}).target_mode == mode


def test_an_unknown_target_mode_is_refused():
    with pytest.raises(
        ValueError, match="target_mode must be one of augmented, separate, ignore, got 'both'"
    ):
        FitConfig(target_mode="both")


def test_ignore_mode_reads_the_text_alone():
    pipeline = fit("ignore")
    rows = [with_target(UNSEEN, t) for t in ("Smoking", "Smoking ban", None)]
    proba = pipeline.predict_proba(rows)
    np.testing.assert_allclose(proba[0], proba[1])
    np.testing.assert_allclose(proba[0], proba[2])
