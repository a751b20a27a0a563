"""A registry with a broken version, a broken state.json, leftovers of killed writers or a full
disk: every command still answers in one line, and the current model stays current."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat

import pytest

from classifier import ModelIntegrityError, ModelNotFoundError, ModelRegistry
from classifier.errors import RegistryStateError, StorageError
from classifier.registry import ARTEFACT, MANIFEST
from conftest import TINY_CSV
from framelens.cli import main
from training import FitConfig, train


def copy_version(registry: ModelRegistry, name: str) -> str:
    """Another version, made by copying the current one's directory (no training needed)."""
    source = registry.root / "versions" / registry.current()
    shutil.copytree(source, registry.root / "versions" / name)
    return name


def models(registry: ModelRegistry) -> list[str]:
    return ["--models", str(registry.root)]


# D9: one bad version does not break the others ------------------------------------------------


@pytest.mark.parametrize(
    ("content", "shown"),
    [('{"version": ', None), ("[1, 2]", None), ('{"version": "sahel-bare"}', "?")],
    ids=["invalid-json", "not-an-object", "no-fields"],
)
def test_models_list_skips_or_shows_a_broken_manifest(runner, registry, content, shown):
    broken = copy_version(registry, "sahel-broken")
    (registry.root / "versions" / broken / MANIFEST).write_text(content)

    result = runner.invoke(main, ["models", "list", *models(registry)])

    assert result.exit_code == 0, result.output
    assert f"* {registry.current()}" in result.output
    if shown is None:
        assert broken not in result.output
    else:
        assert f"  {broken}  ?" in result.output


def test_an_unknown_model_is_not_found_even_beside_a_broken_manifest(registry):
    broken = copy_version(registry, "sahel-broken")
    (registry.root / "versions" / broken / MANIFEST).write_text('{"version": ')

    with pytest.raises(ModelNotFoundError, match=r"no model version 'nope'"):
        registry.load("nope")
    with pytest.raises(ModelIntegrityError, match=r"sahel-broken.*cannot be read as JSON"):
        registry.load(broken)


def test_a_version_without_its_artefact_is_not_found(runner, registry):
    bare = copy_version(registry, "sahel-noartefact")
    (registry.root / "versions" / bare / ARTEFACT).unlink()

    annotate = runner.invoke(main, ["annotate", "--model", bare, *models(registry), "-"], input="x")
    promote = runner.invoke(main, ["models", "promote", bare, *models(registry)])

    for result in (annotate, promote):
        assert result.exit_code == 1
        assert result.output.startswith(f"Error: no model version '{bare}'")
        assert "Traceback" not in result.output


def test_a_hash_matching_artefact_that_is_no_model_is_refused(registry):
    import joblib

    version = registry.current()
    folder = registry.root / "versions" / version
    joblib.dump({"format": 1}, folder / ARTEFACT)  # no pipeline
    manifest = json.loads((folder / MANIFEST).read_text())
    from classifier.registry import sha256_file

    manifest["artefact_sha256"] = sha256_file(folder / ARTEFACT)
    (folder / MANIFEST).write_text(json.dumps(manifest))

    with pytest.raises(ModelIntegrityError, match=r"it is not a framelens model \(KeyError"):
        registry.load()


# D10: a broken state.json ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"current": "sahel-', "cannot be read as JSON"),
        ("[]", "holds a list, not an object"),
        ('{"current": 5}', "names current 5, not a version id"),
        ('{"current": "x", "history": "abc"}', "has history 'abc', not a list of ids"),
    ],
)
def test_a_broken_state_is_one_line_and_promote_repairs_it(runner, registry, content, problem):
    current = registry.current()
    (registry.root / "state.json").write_text(content)

    for command in (["models", "list"], ["models", "current"], ["models", "rollback"]):
        result = runner.invoke(main, [*command, *models(registry)])
        assert result.exit_code == 1
        assert problem in result.output and "state.json" in result.output
        assert "framelens models promote VERSION" in result.output
        assert "Traceback" not in result.output
    with pytest.raises(RegistryStateError, match=problem):
        registry.load()

    repaired = runner.invoke(main, ["models", "promote", current, *models(registry)])

    assert repaired.exit_code == 0, repaired.output
    assert registry.current() == current and registry.load().version == current


# D11: versions are as readable as the registry ------------------------------------------------


def test_a_new_version_directory_is_readable_by_others(registry):
    old = os.umask(0o022)
    try:
        version = train(
            [TINY_CSV], scheme="sahel", registry=registry, config=FitConfig(), n_jobs=1, force=True
        ).version
    finally:
        os.umask(old)
    mode = stat.S_IMODE((registry.root / "versions" / version).stat().st_mode)
    assert mode == 0o755


# D12: rollback checks what it restores --------------------------------------------------------


@pytest.mark.parametrize("damage", ["deleted", "tampered"])
def test_rollback_refuses_a_previous_version_that_cannot_load(runner, registry, damage):
    first = registry.current()
    second = copy_version(registry, "sahel-second")
    registry.promote(second)
    folder = registry.root / "versions" / first
    if damage == "deleted":
        shutil.rmtree(folder)
    else:
        (folder / ARTEFACT).write_bytes((folder / ARTEFACT).read_bytes() + b"\0")

    result = runner.invoke(main, ["models", "rollback", *models(registry)])

    assert result.exit_code == 1
    assert first in result.output and "Traceback" not in result.output
    assert registry.current() == second


# D24: leftovers of killed writers -------------------------------------------------------------


def test_leftovers_of_killed_writers_are_removed_by_the_next_write(runner, registry):
    versions = registry.root / "versions"
    (versions / ".tmp-abc123").mkdir()
    (versions / ".tmp-abc123" / ARTEFACT).write_bytes(b"half an artefact")
    (registry.root / ".tmp-0123456789ab-state.json").write_text('{"current": ')

    result = runner.invoke(main, ["models", "promote", registry.current(), *models(registry)])

    assert result.exit_code == 0, result.output
    assert not list(registry.root.glob(".tmp-*")) and not list(versions.glob(".tmp-*"))


def test_a_live_writers_temporary_version_is_left_alone(registry):
    from classifier._files import lock_dir

    live = registry.root / "versions" / ".tmp-live"
    live.mkdir()
    held = lock_dir(live)
    try:
        registry.promote(registry.current())
        assert live.is_dir()
    finally:
        os.close(held)


# D13: a full disk -----------------------------------------------------------------------------


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_promote_on_a_full_disk_is_one_line_and_keeps_the_current_model(
    runner, registry, monkeypatch
):
    first = registry.current()
    second = copy_version(registry, "sahel-second")
    monkeypatch.setattr("classifier._files.os.fsync", _no_space)

    result = runner.invoke(main, ["models", "promote", second, *models(registry)])

    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot write {registry.root / 'state.json'}: No space left on device; "
        "nothing was changed\n"
    )
    assert registry.current() == first
    assert not list(registry.root.glob(".tmp-*"))


def test_train_on_a_full_disk_is_one_line_and_keeps_the_current_model(
    runner, registry, monkeypatch
):
    first, before = registry.current(), registry.versions()
    monkeypatch.setattr("classifier.registry.joblib.dump", _no_space)

    result = runner.invoke(
        main, ["train", str(TINY_CSV), "--scheme", "sahel", "-q", "--force", *models(registry)]
    )

    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith(f"Error: cannot write {registry.root / 'versions'}/sahel-")
    assert line.endswith(": No space left on device; nothing was changed")
    assert registry.current() == first and registry.versions() == before
    assert not list((registry.root / "versions").glob(".tmp-*"))


def test_storage_error_names_the_path(tmp_path):
    from classifier._files import write_atomic

    with pytest.raises(StorageError, match=r"cannot write .*nowhere/x.json: No such file"):
        write_atomic(tmp_path / "nowhere" / "x.json", b"{}")


# D1 and D27: what training may make current ---------------------------------------------------


def test_a_model_of_another_scheme_needs_force(runner, registry, tmp_path):
    rows = ["text,label"] + [
        f"The minister said {lab} thing number {j} again with {lab}.,{lab}"
        for lab in ("pro", "anti")
        for j in range(8)
    ]
    csv_path = tmp_path / "stance.csv"
    csv_path.write_text("\n".join(rows) + "\n")
    first = registry.current()

    refused = train([csv_path], registry=registry, config=FitConfig(), n_jobs=1)
    forced = train([csv_path], registry=registry, config=FitConfig(), n_jobs=1, force=True)

    assert not refused.promoted
    assert "is a model of scheme sahel, this one of auto_anti_pro_" in refused.reason
    assert forced.promoted and registry.current() == forced.version != first


def test_a_trained_model_that_cannot_load_is_never_promoted(registry, monkeypatch):
    first = registry.current()

    def broken(self, version=None):
        raise ModelIntegrityError(str(self.root), "it is not a framelens model (test)")

    monkeypatch.setattr(ModelRegistry, "load", broken)
    with pytest.raises(ModelIntegrityError, match="not a framelens model"):
        train([TINY_CSV], scheme="sahel", registry=registry, config=FitConfig(), force=True)
    assert registry.current() == first


def test_the_promotion_gate_decides_under_the_state_lock(registry):
    """Another promotion between the gate's decision and its write would be lost."""
    import fcntl

    second = copy_version(registry, "sahel-second")
    seen = []

    def decide(current):
        with open(registry.root / ".lock", "a+") as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                seen.append("unlocked")
            except BlockingIOError:
                seen.append("locked")
        return True, "yes"

    assert registry.promote_if(second, decide) == (True, "yes")
    assert seen == ["locked"] and registry.current() == second


def _rehash(registry: ModelRegistry) -> None:
    from classifier.registry import sha256_file

    folder = registry.root / "versions" / registry.current()
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["artefact_sha256"] = sha256_file(folder / ARTEFACT)
    (folder / MANIFEST).write_text(json.dumps(manifest))


def test_a_hash_matching_artefact_that_is_not_a_pickle_is_refused(registry):
    (registry.root / "versions" / registry.current() / ARTEFACT).write_bytes(b"not a pickle")
    _rehash(registry)
    with pytest.raises(ModelIntegrityError, match=r"it is not a framelens model"):
        registry.load()


@pytest.mark.parametrize("damage", ["state", "artefact"])
def test_the_service_starts_unready_on_a_broken_registry(registry, damage):
    from service import create_app

    if damage == "state":
        (registry.root / "state.json").write_text('{"current": "sahel-')
    else:
        (registry.root / "versions" / registry.current() / ARTEFACT).write_bytes(b"\x80\x04junk")
        _rehash(registry)
    app = create_app({"TESTING": True, "MODEL_DIR": str(registry.root), "RELOAD_INTERVAL": 0})

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert ("state.json" if damage == "state" else "not a framelens model") in response.get_data(
        as_text=True
    )


def test_score_on_a_full_disk_is_one_line(runner, registry, tmp_path, monkeypatch):
    from score_corpus import write_corpus

    source = write_corpus(tmp_path / "in", "csv")
    monkeypatch.setattr("classifier._files.os.fsync", _no_space)

    result = runner.invoke(
        main, ["score", str(source), "-o", str(tmp_path / "out"), "-q", *models(registry)]
    )

    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot write {tmp_path / 'out' / 'run.json'}: No space left on device; "
        "nothing was changed\n"
    )
    assert not list((tmp_path / "out").glob(".tmp-*"))
