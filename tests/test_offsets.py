"""One rule for offsets: the API, ``framelens annotate`` and ``framelens score`` read the same
file the same way (UTF-8, a leading byte-order mark dropped, line endings kept)."""

from __future__ import annotations

import json

import pytest

from framelens.cli import main

BODY = (
    "Mali accuses Kyiv of backing rebels{nl}{nl}"
    "The junta said armed terrorist groups attacked the army near Kidal. "
    "Kyiv said Russian war criminals suffered a heavy defeat.{nl}"
    "The claims could not be independently verified.{nl}"
)
FILES = {
    "bom-lf": "\ufeff" + BODY.format(nl="\n"),
    "crlf": BODY.format(nl="\r\n"),
    "bom-crlf": "\ufeff" + BODY.format(nl="\r\n"),
    "mixed": "\ufeffMali accuses Kyiv\r\n\nThe junta spoke.\rKyiv denied it.\nNo one else did.\r\n",
}


def _spans(sentences: list[dict]) -> list[tuple[int, int, str]]:
    return [(s["start"], s["end"], s["text"]) for s in sentences]


@pytest.mark.parametrize("name", sorted(FILES))
def test_api_annotate_and_score_give_the_same_offsets(name, runner, registry, client, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    path = folder / f"{name}.txt"
    path.write_bytes(FILES[name].encode("utf-8"))
    text = FILES[name].removeprefix("\ufeff")  # the text every interface should see

    cli = runner.invoke(
        main, ["annotate", str(path), "--format", "json", "--models", str(registry.root)]
    )
    assert cli.exit_code == 0, cli.output
    from_cli = _spans(json.loads(cli.output)["sentences"])

    plain = client.post("/v1/annotate", data=path.read_bytes(), content_type="text/plain")
    as_json = client.post("/v1/annotate", json={"text": FILES[name]})
    assert plain.status_code == as_json.status_code == 200

    out = tmp_path / "scores"
    scored = runner.invoke(
        main,
        ["score", str(folder), "-o", str(out), "--with-text", "--quiet"]
        + ["--models", str(registry.root)],
    )
    assert scored.exit_code == 0, scored.output
    rows = [json.loads(line) for line in (out / "part-000000.jsonl").read_text().splitlines()]
    from_score = [(r["start"], r["end"], r["text"]) for r in rows]

    assert (
        from_cli == _spans(plain.get_json()["sentences"]) == _spans(as_json.get_json()["sentences"])
    )
    assert from_cli == from_score
    assert all(text[start:end] == sentence for start, end, sentence in from_cli)
    assert len(from_cli) >= 3


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_a_byte_order_mark_at_the_start_of_a_score_input_is_not_a_reject(
    kind, runner, registry, tmp_path
):
    text = BODY.format(nl="\r\n")
    path = tmp_path / f"articles.{kind}"
    if kind == "jsonl":
        body = json.dumps({"id": "a1", "text": text}) + "\n"
    else:
        body = 'id,text\r\na1,"' + text + '"\r\n'
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    out = tmp_path / "scores"

    result = runner.invoke(
        main, ["score", str(path), "-o", str(out), "--quiet", "--models", str(registry.root)]
    )

    assert result.exit_code == 0, result.output
    assert "0 rejected" in result.output
    rows = [json.loads(line) for line in (out / "part-000000.jsonl").read_text().splitlines()]
    cli = runner.invoke(
        main, ["annotate", "-", "--format", "json", "--models", str(registry.root)], input=text
    )
    expected = [(s["start"], s["end"]) for s in json.loads(cli.stdout)["sentences"]]
    assert [(r["start"], r["end"]) for r in rows] == expected
