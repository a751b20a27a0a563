"""Train a model from labelled CSVs and publish it as a new version in the model registry."""

from __future__ import annotations

import json
import logging
import os
import platform
import secrets
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nltk
import numpy as np
import sklearn

from classifier import __version__
from classifier.errors import TrainingDataError
from classifier.registry import ModelRegistry
from classifier.scheme import Scheme, same_scheme
from classifier.targets import normalise_target

from .cluster import joblib_backend
from .dataset import Dataset, read_dataset
from .evaluate import compute_metrics, per_target_metrics, plot_metrics
from .fit import FitConfig, fit_pipeline
from .select import CHAR_BLOCK_CHARS, candidate_configs, choose_threshold, margin_for, select
from .splitter import learn_splitter_params, splitter_sample

log = logging.getLogger(__name__)

# A new model may score this much below the current one (CV macro-F1) and still replace it.
DEFAULT_TOLERANCE = 0.02
LEVELS = ("auto", "sentence", "article")
# Rows whose median length passes this are articles, not sentences (a long sentence is ~300).
ARTICLE_CHARS = 600


@dataclass
class TrainResult:
    version: str
    path: Path
    manifest: dict[str, Any]
    promoted: bool
    reason: str
    warnings: list[str]


def train(
    paths: Sequence[str | Path],
    *,
    scheme: Scheme | str = "auto",
    registry: ModelRegistry,
    config: FitConfig | None = None,
    force: bool = False,
    tolerance: float = DEFAULT_TOLERANCE,
    prefer: str = "balanced",
    n_jobs: int | None = None,
    level: str = "auto",
    engine: str = "local",
    scheduler: str | None = None,
    attribution: bool | None = None,
    on_conflict: str = "refuse",
    report: Callable[[str], None] | None = None,
) -> TrainResult:
    """Read, check, cross-validate, fit and publish; promote if not worse than the current model.

    ``level`` says what a row is: a ``sentence``, an ``article`` (the model then also labels
    whole texts), or ``auto`` (articles when the median row is longer than a long paragraph).
    ``engine="dask"`` runs the cross-validation of model selection on a Dask cluster (the one at
    ``scheduler``, or a local one of ``n_jobs`` workers) through joblib's dask backend.
    ``on_conflict`` says what to do with a text labelled more than one way: ``refuse`` (name
    every one and stop), ``drop``, ``first`` or ``majority`` (``training.conflicts``).
    ``attribution`` None learns from who speaks (``classifier.context``) when the scheme
    lists actors and rows are sentences; False never does (for an ablation), True requires it.
    ``prefer`` (accuracy, balanced or speed) sets how far below the best CV macro-F1 a cheaper
    candidate may score and still be chosen (``training.select.MARGINS``). ``n_jobs`` None uses
    every core.
    ``report``, if given, receives one line per phase (reading, search, final fit, calibration,
    writing, promotion) and a progress bar over the model search is shown on stderr.
    Any error before the final rename leaves the registry exactly as it was.
    """
    say = report or (lambda line: None)
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    margin_for(prefer)  # a bad ``prefer`` fails before the data is read
    n_jobs = n_jobs or os.cpu_count() or 1
    say(f"reading {len(paths)} file(s)")
    dataset = read_dataset(paths, scheme, on_conflict=on_conflict)
    if dataset.conflicts:
        c = dataset.conflicts
        say(
            f"conflicts: {c['sentences']} sentence(s) labelled more than one way; "
            f"--on-conflict {c['policy']} dropped {c['rows_dropped']} of their {c['rows']} rows"
        )
    if level == "auto":
        level = (
            "article" if np.median([len(t) for t in dataset.texts]) > ARTICLE_CHARS else "sentence"
        )
    log.info("training on %d rows, scheme %s", len(dataset.rows), dataset.scheme.name)
    # Attribution features for sentence models of schemes that name their parties' actors.
    context = dataset.scheme.has_actors and level == "sentence"
    if attribution is not None:
        if attribution and not context:
            has = "actors" if dataset.scheme.has_actors else "no actors"
            raise TrainingDataError(
                str(paths[0]),
                "attribution needs a scheme with actors and sentence rows "
                f"(scheme {dataset.scheme.name} has {has}; rows are {level}s)",
            )
        context = attribution
    inputs = dataset.model_inputs(context=context)
    fixed = {"targeted": dataset.has_targets, "context": context}
    if config is not None:
        configs = [replace(config, **fixed)]
    else:
        configs = candidate_configs(FitConfig(**fixed))
    with joblib_backend(engine, workers=n_jobs, scheduler=scheduler) as where:
        log.info("cross-validating on %s", where)
        articles = (
            f"{len(set(dataset.groups))} articles kept whole in folds where they can be"
            if dataset.has_article_ids
            else "no article_id: folds stratified by label"
        )
        say(
            f"search: {len(configs)} pipeline(s) by cross-validation on {len(dataset.rows)} rows "
            f"({articles}; scheme {dataset.scheme.name}) on {where}"
        )
        found = select(
            inputs,
            dataset.labels,
            dataset.groups,
            configs=configs,
            prefer=prefer,
            n_jobs=n_jobs,
            progress=report is not None,
            favg_labels=dataset.scheme.favg_labels,
            choose_target=config is None,
        )
    if found["left_out"]:
        say(
            f"left out {len(found['left_out'])} character n-gram candidates: "
            f"{found['chars']:,} characters of text is over {CHAR_BLOCK_CHARS:,}"
        )
    if found["sampled"]:
        say(
            f"searched on {found['search_rows']} of {found['rows']} rows (whole articles); the "
            f"choice cross-validated on all rows in {found['folds']} folds and fitted on all"
        )
    config, proba, classes = found["config"], found["proba"], found["classes"]
    if found.get("target_modes"):
        say(f"target: {found['target_modes']['reason']}")
    truth = np.array([classes.index(label) for label in dataset.labels])
    threshold = choose_threshold(proba, truth, dataset.scheme.uncertain_threshold)
    predicted = [classes[i] for i in proba.argmax(axis=1)]
    metrics = compute_metrics(
        dataset.labels, predicted, dataset.scheme, proba=proba, classes=classes
    )
    metrics["cv"] = {
        "folds": found["folds"],
        "grouped_by_article": found["grouped"],
        "method": cv_method(found["folds"], found["grouped"]),
    }
    if dataset.has_targets:
        metrics["per_target"] = per_target_metrics(
            dataset.labels, predicted, dataset.targets, dataset.scheme
        )
    say(f"final fit: {_describe(config)} on all {len(dataset.rows)} rows")
    pipeline = found["pipeline"]  # fitted beside the choice's folds on sampled data
    if pipeline is None:
        pipeline = fit_pipeline(inputs, dataset.labels, config)
    say(
        f"calibration: temperature {found['temperature']:.3f}, uncertain below confidence "
        f"{threshold:.2f}"
    )
    _scale(pipeline, found["temperature"])
    documents = _documents(dataset)
    learned_from = splitter_sample(documents)
    if len(learned_from) < len(documents):
        say(
            f"sentence splitter: learned from {len(learned_from)} of {len(documents)} articles "
            f"drawn at random ({sum(map(len, learned_from)):,} characters)"
        )
    payload = {
        "format": 1,
        "pipeline": pipeline,
        "splitter": learn_splitter_params(learned_from),
    }
    created = datetime.now(UTC)
    version = f"{dataset.scheme.name}-{created:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    manifest = _manifest(dataset, metrics, config, created)
    manifest["level"] = level
    manifest["selection"] = {
        "engine": {"name": engine, "scheduler": scheduler},
        "prefer": found["prefer"],
        "margin": found["margin"],
        "rows": found["rows"],
        "search_rows": found["search_rows"],
        "sampled": found["sampled"],
        "chars": found["chars"],
        "left_out": found["left_out"],
        "cv_macro_f1": found["cv_macro_f1"],
        "search": found["search"],
        "temperature": found["temperature"],
        "uncertain_threshold": threshold,
    }
    if found.get("target_modes"):
        manifest["selection"]["target_mode"] = found["target_modes"]
    manifest["scheme"]["uncertain_threshold"] = threshold
    extras = {"metrics.json": (json.dumps(metrics, indent=2) + "\n").encode()}
    with tempfile.TemporaryDirectory() as tmp:
        png = plot_metrics(
            metrics, Path(tmp) / "metrics.png", f"{version} ({metrics['cv']['method']})"
        )
        extras["metrics.png"] = png.read_bytes()
    say(f"writing {version} to {registry.root}")
    path = registry.add(version, payload, manifest, extras)
    registry.load(version)  # a model that cannot be loaded back is never made current
    promoted, reason = registry.promote_if(
        version, lambda current: _gate(registry, current, manifest, force, tolerance)
    )
    say(f"promotion: {reason}")
    return TrainResult(
        version, path, registry.manifest(version), promoted, reason, dataset.warnings
    )


def cv_method(folds: int, grouped: bool) -> str:
    """What the cross-validation was, in the words the table and the manifest use."""
    return f"{'grouped' if grouped else 'stratified'} {folds}-fold cross-validation"


def _describe(config: FitConfig) -> str:
    words = f"word {config.word_ngrams[0]}-{config.word_ngrams[1]}-grams"
    chars = config.char_ngrams
    extra = f" + char {chars[0]}-{chars[1]}-grams" if chars else ""
    who = " + who speaks" if config.context else ""
    target = {"augmented": " + per-target copies", "separate": ", one model per target"}
    how = (target.get(config.target_mode, ", target ignored")) if config.targeted else ""
    return f"{words}{extra}{who}{how}, C={config.C:g}"


def _scale(pipeline: Any, temperature: float) -> None:
    """Calibrate in place: a logistic regression with coefficients divided by T."""
    clf = pipeline[-1]
    if hasattr(clf, "scale_logits"):  # one model per target
        clf.scale_logits(temperature)
        return
    clf.coef_ = clf.coef_ / temperature
    clf.intercept_ = clf.intercept_ / temperature


def _documents(dataset: Dataset) -> list[str]:
    """The training sentences as running text, one document per article, for Punkt."""
    articles: dict[str, list[str]] = defaultdict(list)
    for row in dataset.rows:
        articles[row.article_id].append(row.text)
    return [" ".join(sentences) for sentences in articles.values()]


def _manifest(dataset: Dataset, metrics: dict, config: FitConfig, created: datetime) -> dict:
    return {
        "scheme": dataset.scheme.to_dict(),
        "scheme_name": dataset.scheme.name,
        "scheme_version": dataset.scheme.version,
        "label_ids": dataset.scheme.label_ids,
        "created_at": created.isoformat(timespec="seconds"),
        "framelens_version": __version__,
        "sklearn_version": sklearn.__version__,
        "nltk_version": nltk.__version__,
        "python_version": platform.python_version(),
        "training_data": {
            "sha256": dataset.sha256,
            "files": dataset.files,
            "rows": len(dataset.rows),
            "has_article_ids": dataset.has_article_ids,
            # Without article ids each row is its own article: no count worth showing.
            "articles": len(set(dataset.groups)) if dataset.has_article_ids else None,
            "label_counts": dataset.label_counts(),
            "duplicates_dropped": dataset.duplicates_dropped,
            "conflicts": dataset.conflicts,
        },
        "config": config.to_dict(),
        "uses_target": dataset.has_targets,
        "uses_context": config.context,
        "targets": sorted({normalise_target(t) for t in dataset.targets if t}),
        "metrics": metrics,
    }


def _gate(
    registry: ModelRegistry, current: str | None, manifest: dict, force: bool, tolerance: float
) -> tuple[bool, str]:
    """Whether the new model replaces ``current``; called under the registry's state lock."""
    if force:
        return True, "promoted (--force)"
    if current is None:
        return True, "promoted: the registry had no current model"
    old = registry.manifest(current)
    if not same_scheme(old, manifest):
        return False, (
            f"not promoted: the current {current} is a model of scheme "
            f"{old.get('scheme_name')}, this one of {manifest['scheme_name']}; use --force or "
            "'framelens models promote' to replace it"
        )
    new_f1 = manifest["metrics"]["macro_f1"]
    old_f1 = old.get("metrics", {}).get("macro_f1", 0.0)
    if new_f1 < old_f1 - tolerance:
        return False, (
            f"not promoted: CV macro-F1 {new_f1:.4f} is worse than the current {current} "
            f"({old_f1:.4f}) by more than {tolerance}; use --force or "
            "'framelens models promote' to make it current anyway"
        )
    return True, f"promoted: CV macro-F1 {new_f1:.4f} against {old_f1:.4f} for {current}"
