"""Reading labelled CSVs: each kind of mistake gets a message naming file, line and column."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from classifier import TrainingDataError, load_scheme
from conftest import TINY_CSV
from training import read_dataset

SAHEL = load_scheme("sahel")
GOOD_ROWS = TINY_CSV.read_text(encoding="utf-8").splitlines()[1:]


def write(tmp_path: Path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def with_rows(*extra: str) -> str:
    return "\n".join(["article_id,text,label", *GOOD_ROWS, *extra]) + "\n"


def test_reads_rows_with_labels_and_articles():
    data = read_dataset([TINY_CSV], SAHEL)
    assert len(data.rows) == 40
    assert data.label_counts() == dict.fromkeys(SAHEL.label_ids, 8)
    assert data.groups[0] == "t1"


def test_unknown_label_names_line_column_value_and_allowed_labels(tmp_path):
    path = write(tmp_path, with_rows("x1,Kyiv rejected the claim again.,ukriane"))
    with pytest.raises(
        TrainingDataError,
        match=r"data\.csv, line 42, column 'label': 'ukriane' "
        r"is not a label of scheme sahel 1\.0 \(allowed: mali_government, ukraine, "
        r"russia, rebels, neutral\)",
    ):
        read_dataset([path], SAHEL)


def test_labels_are_matched_without_regard_to_case(tmp_path):
    path = write(tmp_path, with_rows("x1,Kyiv rejected the claim again.,Ukraine"))
    assert read_dataset([path], SAHEL).labels[-1] == "ukraine"


def test_empty_text_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, with_rows('x1,"   ",neutral'))
    with pytest.raises(TrainingDataError, match=r"line 42, column 'text': the text is empty"):
        read_dataset([path], SAHEL)


def test_missing_column_lists_the_columns_found(tmp_path):
    path = write(tmp_path, "sentence,label\nSome text.,neutral\n")
    with pytest.raises(
        TrainingDataError,
        match=r"line 1: missing column 'text' "
        r"\(found: sentence, label; required: text, label",
    ):
        read_dataset([path], SAHEL)


def test_bad_encoding_names_the_line_and_asks_for_utf8(tmp_path):
    path = write(tmp_path, with_rows())
    path.write_bytes(path.read_bytes() + "x1,Le ministre a parlé hier.,neutral\n".encode("latin-1"))
    with pytest.raises(
        TrainingDataError,
        match=r"line 42: byte 0xe9 is not valid UTF-8; save the "
        r"file as UTF-8",
    ):
        read_dataset([path], SAHEL)


def test_one_sentence_with_two_labels_names_both_places(tmp_path):
    path = write(tmp_path, with_rows("x1,The claims could not be independently verified.,rebels"))
    with pytest.raises(
        TrainingDataError,
        match=r"data\.csv: 1 sentence is labelled more than one way; .*\n"
        r"  .*data\.csv, line 36 'neutral', line 42 'rebels': "
        r'"The claims could not be independently verified\."',
    ):
        read_dataset([path], SAHEL)


def test_label_with_too_few_examples_is_an_error(tmp_path):
    rows = [r for r in GOOD_ROWS if not r.endswith(",russia")][:-1]
    rows += [r for r in GOOD_ROWS if r.endswith(",russia")][:3]
    path = write(tmp_path, "\n".join(["article_id,text,label", *rows]) + "\n")
    with pytest.raises(
        TrainingDataError,
        match=r"label 'russia' has 3 examples; each label of "
        r"scheme sahel needs at least 5",
    ):
        read_dataset([path], SAHEL)


def test_exact_duplicates_are_dropped_with_a_warning(tmp_path):
    path = write(tmp_path, with_rows(GOOD_ROWS[0]))
    data = read_dataset([path], SAHEL)
    assert len(data.rows) == 40
    assert data.warnings == [f"{path}, line 42: duplicate of {path}, line 2; dropped"]


def test_row_with_unquoted_comma_is_reported(tmp_path):
    path = write(tmp_path, with_rows("x1,Kyiv, Moscow and Bamako traded blame.,neutral"))
    with pytest.raises(TrainingDataError, match=r"line 42: has 4 fields where the header has 3"):
        read_dataset([path], SAHEL)


def test_rows_are_read_from_several_files_and_a_byte_order_mark(tmp_path):
    first = write(
        tmp_path,
        "\n".join(["article_id,text,label", *GOOD_ROWS[:20]]),
        "a.csv",
        encoding="utf-8-sig",
    )
    second = write(tmp_path, "\n".join(["article_id,text,label", *GOOD_ROWS[20:]]), "b.csv")
    data = read_dataset([first, second], SAHEL)
    assert len(data.rows) == 40
    assert len(data.files) == 2


def test_auto_scheme_recognises_a_shipped_scheme():
    assert read_dataset([TINY_CSV], "auto").scheme.name == "sahel"


def test_auto_scheme_is_inferred_from_unknown_labels(tmp_path):
    rows = [
        f"Sentence number {i} about the vote.,{'Biased' if i % 2 else 'Non-biased'}"
        for i in range(20)
    ]
    path = write(tmp_path, "\n".join(["text,label", *rows]), "bias.csv")
    data = read_dataset([path], "auto")
    digest = hashlib.sha256(b"biased\nnon_biased").hexdigest()[:6]
    assert data.scheme.name == f"auto_biased_non_biased_{digest}"
    assert data.scheme.label_ids == ["biased", "non_biased"]
    assert set(data.labels) == {"biased", "non_biased"}


def _labelled(labels: list[str]) -> str:
    rows = ["article_id,text,label"] + [
        f"{lab}{j},The minister said {lab} thing number {j} again and again.,{lab}"
        for lab in labels
        for j in range(8)
    ]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["pro", "مؤيد", "معارض"], r"line 10, column 'label': label 'مؤيد' has no letter a-z"),
        (["!!!", "yes", "no"], r"line 2, column 'label': label '!!!' has no letter a-z"),
        (
            ["pro-gov", "pro gov", "anti"],
            r"line 10, column 'label': labels 'pro gov' and 'pro-gov' \(.*line 2\) both become "
            r"the id 'pro_gov'",
        ),
    ],
    ids=["arabic", "punctuation", "collision"],
)
def test_auto_scheme_refuses_labels_that_lose_their_identity_as_ids(tmp_path, labels, message):
    path = write(tmp_path, _labelled(labels))
    with pytest.raises(TrainingDataError, match=r"data\.csv, " + message):
        read_dataset([path], "auto")


def test_auto_scheme_keeps_labels_written_in_different_case(tmp_path):
    text = _labelled(["Pro", "anti"]) + "p9,The minister said a further thing.,pro\n"
    data = read_dataset([write(tmp_path, text)], "auto")
    assert data.scheme.label_ids == ["anti", "pro"] and data.label_counts()["pro"] == 9


def test_a_field_over_128_kib_is_read(tmp_path):
    long_text = "The minister said so. " * 10_000  # 220 KB
    path = write(tmp_path, with_rows(f'x1,"{long_text}",neutral'))
    data = read_dataset([path], SAHEL)
    assert len(data.rows[-1].text) > 200_000


@pytest.mark.parametrize("char", ["\x0b", "\x0c", "\x1c", "\x1e", "\x85", "\u2028", "\u2029"])
def test_line_numbers_count_only_real_line_breaks(tmp_path, char):
    unquoted = write(tmp_path, with_rows(f"x1,Kyiv said{char}so today.,ukraine"), "a.csv")
    assert read_dataset([unquoted], SAHEL).rows[-1].text == "Kyiv said so today."
    quoted = with_rows(f'x1,"Kyiv said{char}so today.",ukraine', "x2,The army said so.,ukriane")
    with pytest.raises(TrainingDataError, match=r"b\.csv, line 43, column 'label': 'ukriane'"):
        read_dataset([write(tmp_path, quoted, "b.csv")], SAHEL)


def _bias_rows(labels: tuple[str, str]) -> str:
    rows = [f"Sentence number {i} about the vote.,{labels[i % 2]}" for i in range(20)]
    return "\n".join(["text,label", *rows]) + "\n"


def test_auto_scheme_is_named_by_its_labels_not_by_its_folder(tmp_path):
    (tmp_path / "babe").mkdir()
    (tmp_path / "copy").mkdir()
    here = write(tmp_path / "babe", _bias_rows(("Biased", "Non-biased")), "train.csv")
    there = write(tmp_path / "copy", _bias_rows(("biased", "non biased")), "mine.csv")
    other = write(tmp_path, _bias_rows(("Biased", "Neutral")), "train.csv")
    named = [read_dataset([p], "auto").scheme.name for p in (here, there, other)]
    assert named[0] == named[1] != named[2]
    assert named[2].startswith("auto_biased_neutral_")


def test_auto_scheme_name_of_many_long_labels_stays_a_valid_short_name():
    from classifier.scheme import auto_scheme_name, infer_scheme

    ids = [f"a_rather_long_label_number_{i}" for i in range(12)]
    name = auto_scheme_name(ids)
    assert len(name) <= 5 + 40 + 7
    assert name != auto_scheme_name(ids[:-1])  # cut to the same slug, told apart by the hash
    assert infer_scheme(ids).name == name
