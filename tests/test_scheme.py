"""Label schemes load, validate and name the file and field of a mistake."""

from __future__ import annotations

import pytest

from classifier import SchemeError, available_schemes, infer_scheme, load_scheme


@pytest.mark.parametrize("name", available_schemes())
def test_every_shipped_scheme_loads(name):
    scheme = load_scheme(name)
    assert len(scheme.labels) >= 2
    assert 0 <= scheme.uncertain_threshold < 1


def test_default_scheme_has_the_agreed_label_ids():
    assert load_scheme("sahel").label_ids == [
        "mali_government",
        "ukraine",
        "russia",
        "rebels",
        "neutral",
    ]


LABEL = '[[labels]]\nid = "{id}"\nname = "X"\ndescription = ""\ncolor = "{color}"\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'name = "s"\nversion = "1"\n' + LABEL.format(id="a", color="#000000"),
            r"field 'labels': a scheme needs at least two labels",
        ),
        (
            'name = "s"\nversion = "1"\n'
            + LABEL.format(id="a", color="#000000")
            + LABEL.format(id="a", color="#111111"),
            r"field 'labels\[1\]\.id': 'a' is used twice",
        ),
        (
            'name = "s"\nversion = "1"\n'
            + LABEL.format(id="a", color="red")
            + LABEL.format(id="b", color="#111111"),
            r"field 'labels\[0\]\.color': 'red' is not a colour like #1f77b4",
        ),
        ('version = "1"\n', r"field 'name': is missing"),
        (
            'name = "s"\nversion = "1"\nuncertain_threshold = 1.5\n'
            + LABEL.format(id="a", color="#000000")
            + LABEL.format(id="b", color="#111111"),
            r"field 'uncertain_threshold': 1\.5 is not in \[0, 1\)",
        ),
        ('name = "s" version', r"field '<toml>': is not valid TOML"),
    ],
)
def test_invalid_scheme_names_file_and_field(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SchemeError, match=rf"bad\.toml: {message}"):
        load_scheme(path)


def test_unknown_scheme_name_lists_the_shipped_ones():
    with pytest.raises(SchemeError, match=r"no such scheme \(shipped schemes: .*sahel"):
        load_scheme("sahal")


def test_inferred_stance_scheme_scores_favour_and_against():
    scheme = infer_scheme(["FAVOR", "AGAINST", "NONE"], name="stance")
    assert scheme.label_ids == ["against", "favor", "none"]
    assert scheme.favg_labels == ("against", "favor")
