"""A text labelled two ways: every conflict is named, and --on-conflict says what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier import TrainingDataError, load_scheme
from conftest import TINY_CSV
from framelens.cli import main
from training import read_dataset

SAHEL = load_scheme("sahel")
GOOD_ROWS = TINY_CSV.read_text(encoding="utf-8").splitlines()[1:]
# Lines 42-46 of the file written by ``conflicting``: the sentence of line 36 (neutral) twice
# more as rebels, the sentence of line 39 (neutral) as russia, and a long sentence labelled
# first ukraine and then russia.
LONG = (
    "Officials in several capitals gave accounts of the night that could hardly be reconciled "
    "with one another."
)
EXTRA = [
    "x1,The claims could not be independently verified.,rebels",
    "x1,The claims could not be independently verified.,rebels",
    "x2,Both sides gave different casualty figures.,russia",
    f"x3,{LONG},ukraine",
    f"x3,{LONG},russia",
]


def conflicting(tmp_path: Path) -> Path:
    path = tmp_path / "data.csv"
    path.write_text("\n".join(["article_id,text,label", *GOOD_ROWS, *EXTRA]) + "\n", "utf-8")
    return path


def test_refuse_names_every_conflict_with_lines_labels_and_shortened_text(tmp_path):
    path = conflicting(tmp_path)
    with pytest.raises(TrainingDataError) as caught:
        read_dataset([path], SAHEL)
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        f"{path}: 3 sentences are labelled more than one way; give each one label, or train "
        "with --on-conflict drop, first or majority:"
    )
    assert lines[1:] == [
        f"  {path}, line 36 'neutral', line 42 'rebels', line 43 'rebels': "
        '"The claims could not be independently verified."',
        f"  {path}, line 39 'neutral', line 44 'russia': "
        '"Both sides gave different casualty figures."',
        f"  {path}, line 45 'ukraine', line 46 'russia': "
        '"Officials in several capitals gave accounts of the night..."',
    ]


def labels_of(data) -> dict[str, str]:
    """The label kept for each conflicting text of ``EXTRA``, by its first two words."""
    starts = ("The claims", "Both sides", "Officials in")
    return {r.text[:10]: r.label for r in data.rows if r.text.startswith(starts)}


@pytest.mark.parametrize(
    ("policy", "kept", "n_rows", "dropped"),
    [
        ("drop", {}, 38, 7),
        (
            "first",
            {"The claims": "neutral", "Both sides": "neutral", "Officials ": "ukraine"},
            41,
            4,
        ),
    ],
)
def test_drop_and_first_keep_what_they_say(tmp_path, policy, kept, n_rows, dropped):
    data = read_dataset([conflicting(tmp_path)], SAHEL, on_conflict=policy)
    assert labels_of(data) == kept
    assert len(data.rows) == n_rows
    assert data.conflicts == {"policy": policy, "sentences": 3, "rows": 7, "rows_dropped": dropped}
    done = "dropped every row of each" if policy == "drop" else "kept the first label of each"
    assert data.warnings[0] == (
        f"--on-conflict {policy}: 3 sentences are labelled more than one way; {done}, "
        f"{dropped} of their 7 rows dropped"
    )
    assert len(data.warnings) == 4  # the summary, then one line per conflicting text


def test_majority_keeps_the_most_frequent_label(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("\n".join(["article_id,text,label", *GOOD_ROWS, *EXTRA[:2]]) + "\n", "utf-8")
    data = read_dataset([path], SAHEL, on_conflict="majority")
    assert labels_of(data) == {"The claims": "rebels", "Both sides": "neutral"}
    assert data.conflicts == {"policy": "majority", "sentences": 1, "rows": 3, "rows_dropped": 1}
    assert data.warnings[-1] == f"{path}, line 43: duplicate of {path}, line 42; dropped"
    assert data.duplicates_dropped == 1


def test_majority_refuses_a_tie_naming_only_the_tied_texts(tmp_path):
    with pytest.raises(TrainingDataError) as caught:
        read_dataset([conflicting(tmp_path)], SAHEL, on_conflict="majority")
    lines = str(caught.value).splitlines()
    assert lines[0].endswith(
        "2 sentences are tied: no one label is given by most of its rows; give each one label, "
        "or train with --on-conflict first or drop:"
    )
    assert [line.split(": ")[1] for line in lines[1:]] == [
        '"Both sides gave different casualty figures."',
        '"Officials in several capitals gave accounts of the night..."',
    ]


def test_stance_conflict_is_one_text_and_target_with_two_labels(tmp_path):
    rows = [f"Sentence {i} on the plan.,{'FAVOR' if i % 2 else 'AGAINST'},plan" for i in range(12)]
    ok = ["The plan is a good idea.,FAVOR,plan", "The plan is a good idea.,AGAINST,critics"]
    path = tmp_path / "stance.csv"
    path.write_text("\n".join(["text,label,target", *rows, *ok]) + "\n", "utf-8")
    assert len(read_dataset([path], "auto").rows) == 14
    path.write_text(path.read_text("utf-8") + "The plan is a good idea.,AGAINST,plan\n", "utf-8")
    with pytest.raises(
        TrainingDataError,
        match=r"line 14 'favor', line 16 'against': \"The plan is a good idea\.\" "
        r"\(target 'plan'\)",
    ):
        read_dataset([path], "auto")


def test_cli_on_conflict_drop_trains_and_says_how_many_rows_went(runner, tmp_path):
    models = tmp_path / "models"
    args = ["train", str(conflicting(tmp_path)), "--scheme", "sahel", "--models", str(models)]
    refused = runner.invoke(main, [*args, "--jobs", "1", "--quiet"])
    assert refused.exit_code == 1
    assert "3 sentences are labelled more than one way" in refused.output
    assert not models.exists() or not list(models.rglob("manifest.json"))
    result = runner.invoke(
        main, [*args, "--jobs", "1", "--on-conflict", "drop", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "warning: --on-conflict drop: 3 sentences are labelled more than one way; dropped every "
        "row of each, 7 of their 7 rows dropped" in result.stderr
    )
    assert "train: conflicts: 3 sentence(s) labelled more than one way" in result.stderr
    data = json.loads(result.stdout)["manifest"]["training_data"]
    assert data["rows"] == 38
    assert data["conflicts"]["rows_dropped"] == 7


def test_cli_refuses_an_unknown_policy(runner, tmp_path):
    result = runner.invoke(main, ["train", str(TINY_CSV), "--on-conflict", "vote"])
    assert result.exit_code == 2
    assert "'vote' is not one of 'refuse', 'drop', 'first', 'majority'" in result.output
