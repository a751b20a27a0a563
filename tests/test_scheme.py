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


@pytest.mark.parametrize(
    ("labels", "favg"),
    [
        (["FAVOR", "AGAINST"], ("against", "favor")),
        (["favour", "against", "mixed"], ("against", "favour")),
        (["favor", "mixed"], ()),
        (["left", "center", "right"], ()),
    ],
)
def test_inferred_favour_and_against_without_none_are_scored_by_f_avg(labels, favg):
    assert infer_scheme(labels).favg_labels == favg


ACTOR_SCHEME = (
    'name = "s"\nversion = "1"\n'
    '[[labels]]\nid = "gov"\ncolor = "#000000"\nactors = [{actors_gov}]\n'
    '[[labels]]\nid = "reb"\ncolor = "#111111"\nactors = [{actors_reb}]\n'
)


def write_scheme(tmp_path, gov: str, reb: str):
    path = tmp_path / "s.toml"
    path.write_text(ACTOR_SCHEME.format(actors_gov=gov, actors_reb=reb), encoding="utf-8")
    return path


def test_an_alias_under_two_labels_is_an_error_naming_both(tmp_path):
    path = write_scheme(
        tmp_path,
        '{ name = "The Army", kind = "force", aliases = ["soldiers"] }',
        '{ name = "Fighters", kind = "group", aliases = ["Soldiers"] }',
    )
    with pytest.raises(SchemeError, match=r"alias 'Soldiers' is listed under both 'gov' and 'reb'"):
        load_scheme(path)


@pytest.mark.parametrize(
    ("actor", "message"),
    [
        ('{ name = "", kind = "person" }', r"labels\[0\]\.actors\[0\]\.name.*non-empty string"),
        ('{ name = "X", kind = "robot" }', r"actors\[0\]\.kind.*'robot' is not one of person"),
        ('{ name = "X", kind = "person", aliases = [1] }', r"aliases.*list of non-empty strings"),
    ],
)
def test_a_malformed_actor_names_its_field(tmp_path, actor, message):
    with pytest.raises(SchemeError, match=message):
        load_scheme(write_scheme(tmp_path, actor, '{ name = "Y", kind = "group" }'))


def test_the_default_scheme_lists_actors_for_every_party():
    scheme = load_scheme("sahel")
    for label in scheme.labels:
        if label.id != "neutral":
            kinds = {a.kind for a in label.actors}
            assert len(label.actors) >= 5 and "person" in kinds, label.id
    assert scheme.has_actors


def test_actors_survive_the_manifest_copy_of_a_scheme():
    from classifier.scheme import scheme_from_dict

    scheme = load_scheme("sahel")
    assert scheme_from_dict(scheme.to_dict()) == scheme


def test_inferred_schemes_have_no_actors():
    assert not infer_scheme(["favor", "against", "none"]).has_actors
