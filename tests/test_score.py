"""``framelens score``: inputs, outputs, rejects, resuming, refusing, and the command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from score_corpus import articles, read_output, write_corpus

from classifier import annotate
from classifier.batch import BatchInputError, OutputDirError, ScoreOptions, score_corpus
from framelens.cli import main

INPUT_KINDS = ["csv", "csv.gz", "jsonl", "jsonl.gz", "parquet", "txt"]


def _frame(folder: Path, fmt: str = "jsonl") -> pd.DataFrame:
    parts = sorted(folder.glob(f"part-*.{fmt}"))
    if fmt == "jsonl":
        frames = [pd.read_json(p, lines=True, dtype={"id": str}) for p in parts if p.stat().st_size]
    elif fmt == "csv":
        frames = [pd.read_csv(p, dtype={"id": str}) for p in parts]
    else:
        frames = [pd.read_parquet(p) for p in parts]
    return pd.concat(frames, ignore_index=True)


def _rejects(folder: Path) -> list[dict]:
    return [
        json.loads(line)
        for p in sorted(folder.glob("rejects-*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
    ]


@pytest.mark.parametrize("kind", INPUT_KINDS)
def test_score_reads_every_input_format_into_the_same_rows(kind, tiny_model, tmp_path):
    source = write_corpus(tmp_path / "in", kind)
    result = score_corpus([source], tmp_path / "out", model=tiny_model)
    rows = _frame(tmp_path / "out")
    expected = [
        (ident, s.index) for ident, text in articles() for s in tiny_model.splitter.split(text)
    ]
    assert list(zip(rows["id"], rows["sentence"], strict=True)) == expected
    assert result.counts["articles"] == len(articles())
    assert result.counts["rejects"] == 0


def test_sentence_rows_carry_what_annotate_says(tiny_model, tmp_path):
    ident, text = articles()[4]
    source = write_corpus(tmp_path / "in", "jsonl", [(ident, text)])
    score_corpus([source], tmp_path / "out", model=tiny_model)
    rows = _frame(tmp_path / "out").to_dict("records")
    expected = annotate(tiny_model, text)["sentences"]
    assert len(rows) == len(expected)
    for row, sentence in zip(rows, expected, strict=True):
        assert (row["start"], row["end"], row["label"]) == (
            sentence["start"],
            sentence["end"],
            sentence["label"],
        )
        assert row["confidence"] == pytest.approx(sentence["confidence"], abs=1e-4)
        assert row["uncertain"] == sentence["uncertain"]
        for label, p in sentence["probabilities"].items():
            assert row[f"p_{label}"] == pytest.approx(p, abs=1e-4)
        source = sentence["source"] or {}
        assert _blank(row["source_party"]) == source.get("party")
        assert _blank(row["source_start"]) == source.get("start")
        assert _blank(row["reason"]) == sentence["reason"]


def _blank(value):
    """pandas reads an empty JSON value as None or NaN."""
    return None if value is None or value != value else value


def test_probability_columns_and_annotate_follow_the_schemes_label_order(tiny_model, tmp_path):
    ident, text = articles()[4]
    source = write_corpus(tmp_path / "in", "jsonl", [(ident, text)])
    score_corpus([source], tmp_path / "out", model=tiny_model)
    columns = [c for c in _frame(tmp_path / "out").columns if c.startswith("p_")]
    order = tiny_model.scheme.label_ids
    assert columns == [f"p_{label}" for label in order]
    first = annotate(tiny_model, text)["sentences"][0]
    assert list(first["probabilities"]) == order
    assert order != sorted(order)  # so that the test could see alphabetical order


def test_evaluate_labels_a_csv_article_as_annotate_labels_its_text(tiny_model, tmp_path):
    from training.evaluate import evaluate_model

    ident, text = articles()[4]
    sentences = annotate(tiny_model, text)["sentences"]
    path = tmp_path / "gold.csv"
    rows = ["article_id,text,label"]
    rows += [f'{ident},"{s["text"].replace(chr(34), chr(34) * 2)}",{s["label"]}' for s in sentences]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    metrics = evaluate_model(tiny_model, path)
    assert metrics["accuracy"] == 1.0


@pytest.mark.parametrize("level", ["sentence", "article"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_output_format_holds_the_same_rows(level, fmt, tiny_model, tmp_path):
    source = write_corpus(tmp_path / "in", "csv")
    options = {"level": level, "chunk_size": 7}
    score_corpus([source], tmp_path / "jsonl", model=tiny_model, options=ScoreOptions(**options))
    score_corpus(
        [source], tmp_path / fmt, model=tiny_model, options=ScoreOptions(format=fmt, **options)
    )
    assert len(list((tmp_path / fmt).glob(f"part-*.{fmt}"))) == 4  # 23 articles, 7 a chunk
    pd.testing.assert_frame_equal(
        _frame(tmp_path / fmt, fmt), _frame(tmp_path / "jsonl"), check_dtype=False
    )


def test_article_rows_count_sentence_labels_and_name_the_dominant_one(tiny_model, tmp_path):
    source = write_corpus(tmp_path / "in", "csv")
    score_corpus([source], tmp_path / "s", model=tiny_model)
    score_corpus([source], tmp_path / "a", model=tiny_model, options=ScoreOptions(level="article"))
    sentences, arts = _frame(tmp_path / "s"), _frame(tmp_path / "a").set_index("id")
    labels = tiny_model.scheme.label_ids
    for ident, group in sentences.groupby("id"):
        row = arts.loc[ident]
        counts = {label: int((group["label"] == label).sum()) for label in labels}
        assert {label: row[f"n_{label}"] for label in labels} == counts
        assert row["sentences"] == len(group)
        assert row["dominant"] == max(labels, key=lambda label: counts[label])
        assert sum(row[f"share_{label}"] for label in labels) == pytest.approx(1, abs=1e-3)


def test_bad_rows_go_to_rejects_with_source_line_and_reason(tiny_model, tmp_path):
    good = articles(3)
    csv_path = tmp_path / "mixed.csv"
    csv_path.write_bytes(
        b"id,text\n"
        + f'{good[0][0]},"{good[0][1]}"\n'.encode()
        + b',"An article that lost its id on the way."\n'
        + b"x2,\n"
        + b'x3,"Caf\xe9 owners in Gao said prices had doubled."\n'
        + b"x4,one,two\n"
        + f'{good[1][0]},"{good[1][1]}"\n'.encode()
    )
    jsonl_path = tmp_path / "mixed.jsonl"
    jsonl_path.write_text(
        json.dumps({"id": good[2][0], "text": good[2][1]})
        + "\n{not json\n[1, 2]\n"
        + json.dumps({"id": "y4", "text": 17})
        + "\n",
        encoding="utf-8",
    )
    result = score_corpus([csv_path, jsonl_path], tmp_path / "out", model=tiny_model)

    assert set(_frame(tmp_path / "out")["id"]) == {ident for ident, _ in good}
    rejects = [
        (Path(r["source"]).name, r["line"], r["id"], r["reason"])
        for r in _rejects(tmp_path / "out")
    ]
    broken_json = rejects.pop(4)
    assert broken_json[:3] == ("mixed.jsonl", 2, None)
    assert broken_json[3].startswith("is not valid JSON")
    # The first CSV record spans lines 2-4: its text holds a headline and a blank line.
    assert rejects == [
        ("mixed.csv", 5, None, "missing id (column 'id')"),
        ("mixed.csv", 6, "x2", "empty text (column 'text')"),
        ("mixed.csv", 7, "x3", "text is not valid UTF-8 (byte 0xe9 at character 3)"),
        ("mixed.csv", 8, None, "has 3 fields, the header has 2"),
        ("mixed.jsonl", 3, None, "is a JSON array, expected an object"),
        ("mixed.jsonl", 4, "y4", "text is a number, expected a string"),
    ]
    assert result.counts["rejects"] == 7
    assert result.counts["rows_in"] == 10


def test_missing_text_column_stops_the_run_naming_file_and_column(tiny_model, tmp_path):
    source = write_corpus(tmp_path / "in", "csv")
    with pytest.raises(BatchInputError, match=r"corpus\.csv: no column 'body' .*--text-column"):
        score_corpus(
            [source], tmp_path / "out", model=tiny_model, options=ScoreOptions(text_column="body")
        )


def test_unknown_input_format_is_refused(tiny_model, tmp_path):
    source = tmp_path / "corpus.xlsx"
    source.write_bytes(b"")
    with pytest.raises(BatchInputError, match=r"corpus\.xlsx: unknown input format"):
        score_corpus([source], tmp_path / "out", model=tiny_model)


def test_manifest_records_model_inputs_options_and_counts(tiny_model, tmp_path):
    source = write_corpus(tmp_path / "in", "csv.gz")
    result = score_corpus(
        [source], tmp_path / "out", model=tiny_model, options=ScoreOptions(chunk_size=10)
    )
    manifest = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    assert manifest["model"]["version"] == tiny_model.version
    assert manifest["model"]["scheme"]["name"] == "sahel"
    [entry] = manifest["inputs"]
    assert entry["size"] == source.stat().st_size and len(entry["sha256"]) == 64
    assert entry["compression"] == "gzip"
    assert manifest["options"]["chunk_size"] == 10
    counts = manifest["counts"]
    assert counts == result.counts
    assert counts["chunks"] == 3 and counts["rows_in"] == 23
    assert sum(counts["labels"].values()) == counts["sentences"] == counts["rows_out"]
    assert manifest["timing"]["seconds"] >= 0


def _kill_after_two_chunks(source: Path, out: Path, registry_root: Path) -> int:
    """Run a scoring in a subprocess that SIGKILLs itself while scoring its third chunk."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from classifier import ModelRegistry
        from classifier.batch import _engines, ScoreOptions, score_corpus

        real = _engines.score_chunk
        def dying(model, index, *args, **kwargs):
            if index == 2:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(model, index, *args, **kwargs)
        _engines.score_chunk = dying
        score_corpus(
            [{str(source)!r}], {str(out)!r},
            model=ModelRegistry({str(registry_root)!r}).load(),
            options=ScoreOptions(chunk_size=5),
        )
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    return subprocess.run([sys.executable, "-c", script], env=env, timeout=120).returncode


def test_rerun_after_kill_9_resumes_and_matches_an_uninterrupted_run(registry, tmp_path):
    model = registry.load()
    source = write_corpus(tmp_path / "in", "jsonl")
    assert _kill_after_two_chunks(source, tmp_path / "killed", registry.root) == -9
    assert sorted(p.name for p in (tmp_path / "killed").glob("part-*")) == [
        "part-000000.jsonl",
        "part-000001.jsonl",
    ]
    options = ScoreOptions(chunk_size=5)
    resumed = score_corpus([source], tmp_path / "killed", model=model, options=options)
    score_corpus([source], tmp_path / "whole", model=model, options=options)
    assert (resumed.resumed_chunks, resumed.scored_chunks) == (2, 3)
    assert read_output(tmp_path / "killed") == read_output(tmp_path / "whole")
    assert resumed.counts["articles"] == 23


def test_rerun_redoes_a_chunk_whose_file_is_missing_and_drops_temp_files(tiny_model, tmp_path):
    source = write_corpus(tmp_path / "in", "csv")
    out = tmp_path / "out"
    options = ScoreOptions(chunk_size=5)
    score_corpus([source], out, model=tiny_model, options=options)
    whole = read_output(out)
    (out / "part-000003.jsonl").unlink()
    (out / ".tmp-1234-part-000004.jsonl").write_bytes(b'{"id": "half a ro')
    rerun = score_corpus([source], out, model=tiny_model, options=options)
    assert rerun.scored_chunks == 1
    assert read_output(out) == whole
    assert not list(out.glob(".tmp-*"))


@pytest.mark.parametrize("leftover", [b"", b'{"articles": 5}'], ids=["empty", "written"])
def test_rerun_after_a_kill_during_a_marker_write_resumes(leftover, tiny_model, tmp_path):
    source = write_corpus(tmp_path / "in", "csv")
    out = tmp_path / "out"
    options = ScoreOptions(chunk_size=5)
    score_corpus([source], out, model=tiny_model, options=options)
    whole = read_output(out)
    # As a kill between the marker's temporary write and its rename leaves it:
    (out / ".chunks" / "000003.json").rename(out / ".chunks" / ".tmp-b564a8c815c1-000003.json")
    (out / ".chunks" / ".tmp-b564a8c815c1-000003.json").write_bytes(leftover)
    manifest = json.loads((out / "run.json").read_text())
    (out / "run.json").write_text(json.dumps({**manifest, "status": "running"}))

    rerun = score_corpus([source], out, model=tiny_model, options=options)

    assert (rerun.scored_chunks, rerun.resumed_chunks) == (1, 4)
    assert read_output(out) == whole
    assert not list((out / ".chunks").glob(".tmp-*"))


def test_csv_output_defuses_cells_a_spreadsheet_would_run(tiny_model, tmp_path):
    ids = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "a1"]
    rows = [(ident, "Kyiv said so.") for ident in ids]
    source = write_corpus(tmp_path / "in", "csv", rows)
    options = ScoreOptions(level="article", format="csv")
    score_corpus([source], tmp_path / "csv", model=tiny_model, options=options)
    jsonl = ScoreOptions(level="article")
    score_corpus([source], tmp_path / "jsonl", model=tiny_model, options=jsonl)

    assert list(_frame(tmp_path / "csv", "csv")["id"]) == [f"'{i}" for i in ids[:4]] + ["a1"]
    assert list(_frame(tmp_path / "jsonl")["id"]) == ids


def test_rerun_of_a_complete_run_does_nothing(tiny_model, tmp_path):
    source = write_corpus(tmp_path / "in", "csv")
    score_corpus([source], tmp_path / "out", model=tiny_model)
    again = score_corpus([source], tmp_path / "out", model=tiny_model)
    assert again.already_complete and again.scored_chunks == 0
    assert again.counts["articles"] == 23


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"options": ScoreOptions(level="article")}, r"--level sentence \(this run: article\)"),
        ({"options": ScoreOptions(chunk_size=3)}, r"--chunk-size 1000 \(this run: 3\)"),
        ({"rows": articles(5)}, r"other inputs"),
    ],
)
def test_rerun_with_other_inputs_or_options_is_refused(change, message, tiny_model, tmp_path):
    source = write_corpus(tmp_path / "in", "csv")
    score_corpus([source], tmp_path / "out", model=tiny_model)
    if "rows" in change:
        source.unlink()
        write_corpus(tmp_path / "in", "csv", change["rows"])
    options = change.get("options", ScoreOptions())
    with pytest.raises(OutputDirError, match=message + ".*--overwrite"):
        score_corpus([source], tmp_path / "out", model=tiny_model, options=options)
    replaced = score_corpus(
        [source], tmp_path / "out", model=tiny_model, options=options, overwrite=True
    )
    assert replaced.scored_chunks == replaced.counts["chunks"] > 0


def test_cli_score_writes_chunks_and_prints_a_summary(runner, registry, tmp_path):
    source = write_corpus(tmp_path / "in", "csv")
    out = tmp_path / "out"
    args = ["score", str(source), "-o", str(out), "--models", str(registry.root)]
    result = runner.invoke(main, [*args, "--format", "csv", "--chunk-size", "10", "-q"])
    assert result.exit_code == 0, result.output
    assert "scored 23 articles" in result.output and "0 rejected" in result.output
    assert sorted(p.name for p in out.glob("part-*")) == [
        "part-000000.csv",
        "part-000001.csv",
        "part-000002.csv",
    ]
    again = runner.invoke(main, [*args, "--format", "csv", "--chunk-size", "10", "-q"])
    assert again.exit_code == 0 and "nothing to do" in again.output


def test_cli_score_refuses_a_mismatched_rerun_with_exit_1(runner, registry, tmp_path):
    source = write_corpus(tmp_path / "in", "csv")
    args = ["score", str(source), "-o", str(tmp_path / "out"), "--models", str(registry.root)]
    assert runner.invoke(main, [*args, "-q"]).exit_code == 0
    result = runner.invoke(main, [*args, "-q", "--level", "article"])
    assert result.exit_code == 1
    assert "holds a run with --level sentence (this run: article)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--scheduler", "tcp://127.0.0.1:1"], 2, "--scheduler needs --engine dask"),
        (["--text-column", "body"], 1, "no column 'body'"),
        (["--chunk-size", "0"], 2, "Invalid value for '--chunk-size'"),
    ],
)
def test_cli_score_reports_bad_options(extra, code, message, runner, registry, tmp_path):
    source = write_corpus(tmp_path / "in", "csv")
    args = ["score", str(source), "-o", str(tmp_path / "out"), "--models", str(registry.root)]
    result = runner.invoke(main, [*args, "-q", *extra])
    assert result.exit_code == code
    assert message in result.output


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_score_writes_floats_with_at_most_4_decimals(fmt, tiny_model, tmp_path):
    source = write_corpus(tmp_path / "in", "jsonl")
    score_corpus([source], tmp_path / "out", model=tiny_model, options=ScoreOptions(format=fmt))
    written = (tmp_path / "out" / f"part-000000.{fmt}").read_text(encoding="utf-8")
    decimals = [len(d) for d in re.findall(r"\d\.(\d+)", written)]
    assert decimals and max(decimals) <= 4


def test_score_with_text_writes_each_sentences_text(runner, registry, tmp_path):
    ident, text = articles()[4]
    source = write_corpus(tmp_path / "in", "jsonl", [(ident, text)])
    result = runner.invoke(
        main,
        ["score", str(source), "-o", str(tmp_path / "out"), "--with-text", "--quiet"]
        + ["--models", str(registry.root)],
    )
    assert result.exit_code == 0, result.output
    rows = _frame(tmp_path / "out").to_dict("records")
    assert [r["text"] for r in rows] == [text[r["start"] : r["end"]] for r in rows]
    assert len(rows) > 1


def test_score_with_text_at_article_level_is_a_usage_error(runner, registry, tmp_path):
    source = write_corpus(tmp_path / "in", "jsonl")
    result = runner.invoke(
        main,
        ["score", str(source), "-o", str(tmp_path / "out"), "--with-text", "--level", "article"]
        + ["--models", str(registry.root)],
    )
    assert result.exit_code == 2
    assert "--with-text needs --level sentence" in result.output
