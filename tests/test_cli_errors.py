"""Errors at the door: each a one-line message that says what to do, with a distinct exit code."""

from __future__ import annotations

import json
import re
import socket

import pytest

import framelens.cli
from conftest import TINY_CSV
from framelens.cli import EXIT_NOT_PROMOTED, main
from training.select import candidate_configs


def test_annotate_a_latin1_file_names_the_byte_offset(runner, registry, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Le gouvernement a réagi.".encode("latin-1"))

    result = runner.invoke(main, ["annotate", str(path), "--models", str(registry.root)])

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {path} is not valid UTF-8: byte 0xe9 at byte offset 19; save it as UTF-8 "
        "(e.g. 'iconv -f latin1 -t utf-8 FILE')"
    ]


def test_annotate_with_nothing_piped_on_a_terminal_says_how_to_use_it(
    runner, registry, monkeypatch
):
    monkeypatch.setattr(framelens.cli, "_stdin_is_terminal", lambda: True)

    result = runner.invoke(main, ["annotate", "--models", str(registry.root)])

    assert result.exit_code == 2
    assert "framelens annotate article.txt" in result.output
    assert "framelens annotate - < article.txt" in result.output


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("FRAMELENS_MAX_CONTENT_LENGTH", "2MiB", "a whole number of bytes above 0"),
        ("FRAMELENS_RELOAD_INTERVAL", "soon", "a number of seconds, 0 or more"),
        ("FRAMELENS_MAX_SENTENCES", "-5", "a whole number of sentences above 0"),
        ("FRAMELENS_MAX_BATCH_ARTICLES", "1.5", "a whole number of articles above 0"),
        ("FRAMELENS_MAX_SENTECES", "10", "one of the known variables"),
    ],
)
def test_serve_refuses_a_bad_setting_naming_variable_value_and_form(
    runner, registry, monkeypatch, name, value, expected
):
    monkeypatch.setenv(name, value)

    result = runner.invoke(main, ["serve", "--models", str(registry.root)])

    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {name}={value!r} is not valid: expected {expected}")
    assert len(result.output.strip().splitlines()) == 1


def test_serve_on_an_empty_registry_says_exactly_what_to_run(runner, tmp_path):
    empty = tmp_path / "empty"

    result = runner.invoke(main, ["serve", "--models", str(empty)])

    assert result.exit_code == 1
    assert f"Run 'framelens train --default --models {empty}'" in result.output


def test_serve_on_a_port_in_use_is_one_line(runner, registry):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result = runner.invoke(main, ["serve", "--port", str(port), "--models", str(registry.root)])

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port} (Address already in use); stop what is "
        "running there or choose another port with --port"
    ]


def test_a_model_that_is_not_promoted_exits_3(runner, registry):
    result = runner.invoke(
        main,
        ["train", str(TINY_CSV), "--scheme", "sahel", "--models", str(registry.root)]
        + ["--jobs", "1", "--tolerance", "-1", "--quiet"],
    )

    assert result.exit_code == EXIT_NOT_PROMOTED == 3
    assert "not promoted: CV macro-F1" in result.output
    assert len(registry.versions()) == 2


def test_a_second_rollback_explains_what_previous_means(runner, registry):
    models = ["--models", str(registry.root)]
    first = registry.current()
    runner.invoke(main, ["train", str(TINY_CSV), "--scheme", "sahel", "--jobs", "1", *models])

    once = runner.invoke(main, ["models", "rollback", *models])
    twice = runner.invoke(main, ["models", "rollback", *models])

    assert once.exit_code == 0 and once.output == f"current model: {first}\n"
    assert twice.exit_code == 1
    assert "'previous' is the model that was current before the last train or promote" in (
        twice.output
    )
    assert "framelens models promote VERSION" in twice.output


def test_train_talks_on_stderr_and_quiet_silences_it(runner, tmp_path):
    args = ["train", str(TINY_CSV), "--scheme", "sahel", "--jobs", "1"]

    talking = runner.invoke(main, [*args, "--models", str(tmp_path / "a")])
    quiet = runner.invoke(main, [*args, "--models", str(tmp_path / "b"), "--quiet"])

    assert talking.exit_code == quiet.exit_code == 0
    lines = [line for line in talking.stderr.splitlines() if line.startswith("train: ")]
    phases = [line.split()[1].rstrip(":") for line in lines]
    assert phases == ["reading", "search", "final", "calibration", "writing", "promotion"]
    assert talking.stderr.startswith("train: reading 1 file(s)")
    fits = len(candidate_configs()) * 5  # every candidate on each of 5 folds
    assert "model search: 100%" in talking.stderr and f"{fits}/{fits}" in talking.stderr
    assert "train:" not in quiet.stderr and "model search" not in quiet.stderr


def test_train_default_and_csv_files_together_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["train", "--default", str(TINY_CSV)])

    assert result.exit_code == 2
    assert "give CSV_FILES to train on, or --default for the shipped model" in result.output


def test_json_floats_have_at_most_4_decimals(runner, registry, article):
    result = runner.invoke(
        main, ["annotate", "-", "--format", "json", "--models", str(registry.root)], input=article
    )

    assert result.exit_code == 0
    floats = re.findall(r"\d+\.\d+", json.dumps(json.loads(result.output)["sentences"]))
    assert floats and all(len(f.split(".")[1]) <= 4 for f in floats)
