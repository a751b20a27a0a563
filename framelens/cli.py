"""The ``framelens`` command line: a thin face over ``classifier`` and ``training``."""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import sys
import textwrap
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import click

from classifier.errors import FramelensError
from classifier.registry import ModelRegistry

# Exit statuses besides click's 0 (done), 1 (an error, one line) and 2 (bad usage or settings).
EXIT_NOT_PROMOTED = 3  # ``train`` wrote the new version but did not make it current
# The model ``framelens train --default`` trains: the corpus shipped in the labels package.
DEFAULT_CORPUS = ("corpus", "sahel")
DEFAULT_SCHEME = "sahel"


class _Group(click.Group):
    """Turns framelens errors into one line on stderr and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FramelensError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:  # a full disk, a read-only directory: one line naming the path
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from exc


models_option = click.option(
    "--models",
    "models_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="FRAMELENS_MODEL_DIR",
    help="Model registry directory [env FRAMELENS_MODEL_DIR; default: a per-user data directory].",
)


scheduler_option = click.option(
    "--scheduler",
    default=None,
    help="Dask scheduler address (tcp://HOST:8786) for --engine dask [default: a local cluster].",
)


def engine_option(help_text: str) -> Any:
    return click.option(
        "--engine",
        type=click.Choice(["local", "dask"]),
        default="local",
        show_default=True,
        help=help_text,
    )


def _registry(models_dir: Path | None) -> ModelRegistry:
    return ModelRegistry(models_dir)


def _registry_source(models_dir: Path | None) -> str:
    """Where the registry's directory came from, in the words a user would look for."""
    if models_dir is None:
        return "the per-user default; set FRAMELENS_MODEL_DIR or --models to change it"
    if os.environ.get("FRAMELENS_MODEL_DIR") == str(models_dir):
        return "from FRAMELENS_MODEL_DIR"
    return "from --models"


def _quiet_dask(quiet: bool) -> None:
    """Dask's own logging at WARNING (ERROR under --quiet), here and in any worker it starts.

    distributed reads this when it is imported, and its workers inherit the environment; a
    level the user set in DASK_LOGGING__DISTRIBUTED is kept unless --quiet.
    """
    level = "error" if quiet else os.environ.get("DASK_LOGGING__DISTRIBUTED", "warning")
    os.environ["DASK_LOGGING__DISTRIBUTED"] = level
    if "distributed" in sys.modules:
        logging.getLogger("distributed").setLevel(level.upper())


@contextmanager
def _default_corpus() -> Iterator[list[Path]]:
    """The shipped sahel corpus's CSV files, found inside the installed labels package."""
    folder = resources.files("labels").joinpath(*DEFAULT_CORPUS)
    names = sorted(e.name for e in folder.iterdir() if e.name.endswith(".csv"))
    if not names:
        raise click.ClickException(f"the installed package has no corpus in {folder}")
    with ExitStack() as stack:
        yield [stack.enter_context(resources.as_file(folder.joinpath(n))) for n in names]


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


@click.group(cls=_Group)
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.version_option(package_name="framelens")
def main(verbose: bool) -> None:
    """framelens: whose framing does each sentence of a news article carry?"""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    _quiet_dask(False)


@main.command()
@click.argument("csv_files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--default",
    "use_default",
    is_flag=True,
    help="Train the shipped default model: the sahel corpus, scheme sahel, its fixed pipeline "
    "(training.SHIPPED_CONFIG; no CSV_FILES).",
)
@click.option(
    "--scheme",
    default="auto",
    show_default=True,
    help="Scheme name in labels/, a TOML path, or 'auto' to infer it from the labels.",
)
@models_option
@click.option("--force", is_flag=True, help="Make the new model current even if it scores worse.")
@click.option(
    "--tolerance",
    type=float,
    default=None,
    help="How much lower CV macro-F1 may be than the current model's [default 0.02].",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="this machine's cores",
    help="Processes for cross-validation (with --engine dask and no --scheduler: local workers).",
)
@click.option(
    "--prefer",
    type=click.Choice(["accuracy", "balanced", "speed"]),
    default="balanced",
    show_default=True,
    help="How model selection trades CV macro-F1 for prediction speed: a cheaper candidate wins "
    "within 0 (accuracy), 0.003 (balanced) or 0.01 (speed) of the best.",
)
@engine_option("Where model selection's cross-validation runs: here, or on a Dask cluster.")
@scheduler_option
@click.option(
    "--level",
    type=click.Choice(["auto", "sentence", "article"]),
    default="auto",
    show_default=True,
    help="What a row is; article models also label whole texts. auto: by row length.",
)
@click.option(
    "--attribution/--no-attribution",
    default=None,
    help="Learn from who speaks in each sentence [default: when the scheme lists actors].",
)
@click.option(
    "--on-conflict",
    type=click.Choice(["refuse", "drop", "first", "majority"]),
    default="refuse",
    show_default=True,
    help="A text labelled two ways: stop naming every one, drop its rows, keep its first "
    "label, or keep its most frequent label (a tie stops, naming the tied texts).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("-q", "--quiet", is_flag=True, help="No phase lines or progress bar on stderr.")
def train(
    csv_files,
    use_default,
    scheme,
    models_dir,
    force,
    tolerance,
    jobs,
    prefer,
    engine,
    scheduler,
    level,
    attribution,
    on_conflict,
    fmt,
    quiet,
) -> None:
    """Train a model from labelled CSV files (text,label[,article_id,target]) and publish it.

    Exits 3 when the new version is written but not made current (it scored worse than the
    current model); 'framelens models promote VERSION' makes it current anyway.
    """
    from training import DEFAULT_TOLERANCE, SHIPPED_CONFIG
    from training import train as run_train

    if scheduler is not None and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    if use_default == bool(csv_files):
        raise click.UsageError("give CSV_FILES to train on, or --default for the shipped model")
    if use_default and scheme not in ("auto", DEFAULT_SCHEME):
        raise click.UsageError(f"--default trains scheme {DEFAULT_SCHEME}; leave out --scheme")
    _quiet_dask(quiet)
    with ExitStack() as stack:
        if use_default:
            csv_files, scheme = stack.enter_context(_default_corpus()), DEFAULT_SCHEME
        result = run_train(
            csv_files,
            scheme=scheme,
            registry=_registry(models_dir),
            config=SHIPPED_CONFIG if use_default else None,
            force=force,
            tolerance=DEFAULT_TOLERANCE if tolerance is None else tolerance,
            prefer=prefer,
            n_jobs=jobs,
            level=level,
            engine=engine,
            scheduler=scheduler,
            attribution=attribution,
            on_conflict=on_conflict,
            report=None if quiet else lambda line: click.echo(f"train: {line}", err=True),
        )
    _show_training(result, fmt)
    if not result.promoted:
        sys.exit(EXIT_NOT_PROMOTED)


def _show_training(result: Any, fmt: str) -> None:
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        click.echo(
            _json(
                {
                    "version": result.version,
                    "promoted": result.promoted,
                    "reason": result.reason,
                    "manifest": result.manifest,
                }
            )
        )
        return
    m = result.manifest
    data = m["training_data"]
    articles = f", {data['articles']} articles" if data.get("articles") is not None else ""
    click.echo(f"model {result.version} ({data['rows']} rows{articles}, scheme {m['scheme_name']})")
    click.echo(_metrics_table(m["metrics"], _cv_method(m["metrics"].get("cv", {}))))
    if m["metrics"].get("per_target"):
        click.echo(_per_target_table(m["metrics"]["per_target"]))
    click.echo(f"saved to {result.path}")
    click.echo(result.reason)


def _cv_method(cv: dict[str, Any]) -> str:
    """How a model was cross-validated; manifests written before ``method`` was recorded say
    only whether the folds were grouped by article."""
    if "method" in cv:
        return str(cv["method"])
    return "grouped cross-validation" if cv.get("grouped_by_article") else "cross-validation"


@main.command()
@click.argument(
    "file", type=click.Path(dir_okay=False, allow_dash=True, path_type=str), default="-"
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--model", "version", default=None, help="Model version [default: current].")
@click.option(
    "--target",
    default=None,
    help="For stance models: the target the stance is toward (e.g. 'climate change').",
)
@models_option
def annotate(file, fmt, version, target, models_dir) -> None:
    """Label each sentence of an article (a UTF-8 text FILE, or - for standard input)."""
    from classifier import annotate as run_annotate
    from classifier import decode_text

    if file == "-":
        if _stdin_is_terminal():
            raise click.UsageError(
                "no article given: name a text file ('framelens annotate article.txt') or pipe "
                "one in ('framelens annotate - < article.txt')"
            )
        data, source = sys.stdin.buffer.read(), "standard input"
    else:
        try:
            data, source = Path(file).read_bytes(), file
        except OSError as exc:
            raise click.ClickException(f"cannot read {file}: {exc.strerror}") from None
    text = decode_text(data, source=source)
    model = _registry(models_dir).load(version)
    result = run_annotate(model, text, target=target)
    if fmt == "json":
        click.echo(_json(result))
    else:
        click.echo(_annotation_table(result))


@main.command()
@click.argument("version")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the confusion matrix and reliability plot as a PNG here.",
)
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write each row's prediction here as CSV: line, text, [target,] gold, predicted, "
    "confidence and a probability per label (p_LABEL, in the scheme's order).",
)
@models_option
def evaluate(version, csv_file, fmt, plot, predictions, models_dir) -> None:
    """Score model VERSION ('current' for the current one) on a labelled test CSV.

    Every row is scored as given: repeated rows and texts labelled two ways are kept, and a
    warning on stderr says how many there are.
    """
    from training.evaluate import evaluate_model, plot_metrics

    model = _registry(models_dir).load(version)
    metrics = evaluate_model(model, csv_file, predictions=predictions)
    for warning in metrics["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    if predictions:
        click.echo(f"predictions for {metrics['n']} rows written to {predictions}", err=True)
    if plot:
        plot_metrics(metrics, plot, f"{model.version} on {Path(csv_file).name}")
    if fmt == "json":
        click.echo(_json({"model": model.version, "test": csv_file, **metrics}))
    else:
        click.echo(f"model {model.version} on {csv_file} ({metrics['n']} rows)")
        click.echo(_metrics_table(metrics, "test set"))
        if metrics.get("per_target"):
            click.echo(_per_target_table(metrics["per_target"]))


@main.group()
def models() -> None:
    """List, inspect, promote and roll back model versions."""


@models.command("list")
@models_option
def models_list(models_dir) -> None:
    """List model versions, oldest first, under the registry they come from; * marks the current."""
    registry = _registry(models_dir)
    current = registry.current()
    versions = registry.versions()
    if not versions:
        raise click.ClickException(
            f"no models in {registry.root} ({_registry_source(models_dir)}); train the default "
            f"with '{_train_default_command(models_dir)}' or your own with 'framelens train CSV...'"
        )
    click.echo(f"registry: {registry.root} ({_registry_source(models_dir)})")
    for v in versions:
        mark = "*" if v == current else " "
        click.echo(f"{mark} {v}  {_version_line(registry.manifest(v))}")


def _version_line(m: dict[str, Any]) -> str:
    """A manifest in one line; fields a hand-edited or old manifest lacks are shown as '?'."""
    metrics = m.get("metrics") if isinstance(m.get("metrics"), dict) else {}
    data = m.get("training_data") if isinstance(m.get("training_data"), dict) else {}
    f1, rows = metrics.get("macro_f1"), data.get("rows")
    shown_f1 = f"{f1:.4f}" if isinstance(f1, int | float) else "?"
    shown_rows = rows if isinstance(rows, int) else "?"
    return (
        f"{str(m.get('scheme_name', '?')):<12} macro-F1 {shown_f1:>6}  "
        f"{shown_rows:>6} rows  {m.get('created_at', '?')}"
    )


@models.command("current")
@models_option
def models_current(models_dir) -> None:
    """Print the current model version (exit 1 if there is none)."""
    click.echo(_registry(models_dir).resolve(None))


@models.command("show")
@click.argument("version", default="current")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "table"]),
    default="json",
    show_default=True,
    help="The whole manifest as JSON, or a summary with the model search's candidate table.",
)
@models_option
def models_show(version, fmt, models_dir) -> None:
    """Print a version's manifest (JSON), or its summary and every candidate's CV score."""
    registry = _registry(models_dir)
    name = registry.resolve(version)
    manifest = registry.manifest(name)
    if fmt == "json":
        click.echo(_json(manifest))
        return
    click.echo(f"{name}  {_version_line(manifest)}")
    click.echo(_selection_table(manifest.get("selection")))


@models.command("promote")
@click.argument("version")
@models_option
def models_promote(version, models_dir) -> None:
    """Make VERSION the current model."""
    registry = _registry(models_dir)
    registry.load(version)  # refuse to promote an artefact that fails its checks
    registry.promote(version)
    click.echo(f"current model: {registry.current()}")


@models.command("rollback")
@models_option
def models_rollback(models_dir) -> None:
    """Make the previously current model current again (one step back per rollback)."""
    click.echo(f"current model: {_registry(models_dir).rollback()}")


@main.command()
@click.argument("name", required=False)
def schemes(name) -> None:
    """List the shipped label schemes, or show one's labels."""
    from classifier.scheme import available_schemes, load_scheme

    if name is None:
        for n in available_schemes():
            s = load_scheme(n)
            click.echo(f"{s.name} {s.version}: {', '.join(s.label_ids)}")
        return
    s = load_scheme(name)
    click.echo(f"{s.name} {s.version}: {s.description}")
    for label in s.labels:
        click.echo(f"  {label.id:<16} {label.color}  {label.name}: {label.description}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes [default: number of cores].",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Threads per worker; processes scale better (tokenizing holds the GIL).",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="One line per request on stdout: method, path, status, milliseconds, model version.",
)
@models_option
def serve(host, port, workers, threads, access_log, models_dir) -> None:
    """Serve the web page and the JSON API under gunicorn; the model follows the registry.

    Exits 2 naming the variable if a FRAMELENS_* setting has a value it cannot use.
    """
    from service import ConfigError, config_from_env
    from service import serve as run_serve

    environ = dict(os.environ)
    if models_dir is not None:
        environ["FRAMELENS_MODEL_DIR"] = str(models_dir)
    try:
        config_from_env(environ)
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    registry = _registry(models_dir)
    if registry.current() is None:
        raise click.ClickException(
            f"no model to serve: the registry at {registry.root} has no current model. "
            f"Run '{_train_default_command(models_dir)}' to train the default model, "
            "then serve again"
        )
    run_serve(
        host=host,
        port=port,
        workers=workers,
        threads=threads,
        model_dir=models_dir,
        on_ready=lambda url: click.echo(f"framelens serving on {url}", err=False),
        access_log=access_log,
    )


def _train_default_command(models_dir: Path | None) -> str:
    command = "framelens train --default"
    if models_dir is not None and os.environ.get("FRAMELENS_MODEL_DIR") != str(models_dir):
        command += f" --models {shlex.quote(str(models_dir))}"
    return command


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the chunk files, rejects and run.json; a rerun resumes it.",
)
@click.option(
    "--level",
    type=click.Choice(["sentence", "article"]),
    default="sentence",
    show_default=True,
    help="One row per sentence, or one per article with counts and shares per label.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    default="jsonl",
    show_default=True,
    help="Format of the output chunk files.",
)
@click.option(
    "--id-column", default="id", show_default=True, help="Article id column (CSV, JSONL, Parquet)."
)
@click.option(
    "--text-column",
    default="text",
    show_default=True,
    help="Article text column (CSV, JSONL, Parquet).",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Articles per chunk file; a rerun must use the same to resume.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes (with --engine dask and no --scheduler: local Dask workers).",
)
@engine_option("Score on this machine, or on a Dask distributed cluster.")
@scheduler_option
@click.option(
    "--with-text",
    is_flag=True,
    help="Add each sentence's text as a 'text' column (sentence level only).",
)
@click.option("--overwrite", is_flag=True, help="Replace another run's output in --output.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar; print only the summary.")
@click.option("--model", "version", default=None, help="Model version [default: current].")
@models_option
def score(
    inputs,
    output,
    level,
    fmt,
    id_column,
    text_column,
    chunk_size,
    jobs,
    engine,
    scheduler,
    with_text,
    overwrite,
    quiet,
    version,
    models_dir,
) -> None:
    """Score whole corpora: CSV/JSONL (.gz too) and Parquet files, or directories of .txt files.

    Writes part-NNNNNN.<format> chunk files, rejects-NNNNNN.jsonl for rows that could not be
    scored, and run.json. Rerun the same command after an interruption to resume.
    """
    from classifier.batch import ScoreOptions, score_corpus

    if scheduler is not None and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    if with_text and level != "sentence":
        raise click.UsageError("--with-text needs --level sentence: an article row has no text")
    _quiet_dask(quiet)
    result = score_corpus(
        inputs,
        output,
        model=_registry(models_dir).load(version),
        options=ScoreOptions(
            level=level,
            format=fmt,
            chunk_size=chunk_size,
            id_column=id_column,
            text_column=text_column,
            with_text=with_text,
        ),
        jobs=jobs,
        engine=engine,
        scheduler=scheduler,
        overwrite=overwrite,
        progress=not quiet,
    )
    c = result.counts
    if result.already_complete:
        click.echo(f"{result.output} already holds this run, complete; nothing to do")
    click.echo(
        f"scored {c['articles']} articles, {c['sentences']} sentences into {c['rows_out']} "
        f"{level} rows in {result.output} ({c['rejects']} rejected, "
        f"{result.resumed_chunks} of {c['chunks']} chunks resumed)"
    )
    if c["rejects"]:
        click.echo(f"rejected rows and reasons: {result.output}/rejects-*.jsonl", err=True)


def _json(value: Any) -> str:
    """JSON for people and scripts: indented, UTF-8 as is, every float to 4 decimals."""
    return json.dumps(_round_floats(value), indent=2, ensure_ascii=False)


def _round_floats(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _round_floats(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_round_floats(v) for v in value]
    return value


def _selection_table(selection: Any) -> str:
    """The model search of a manifest: every candidate's cost and search CV macro-F1."""
    if not isinstance(selection, dict) or not isinstance(selection.get("search"), list):
        return "no model search recorded in this manifest"
    names = [_candidate(c.get("config", {})) for c in selection["search"]]
    width = max([len("candidate"), *map(len, names)]) + 2
    lines = [f"{'':2}{'candidate':<{width}}{'cost':>6}{'search CV macro-F1':>20}"]
    for c, name in zip(selection["search"], names, strict=True):
        f1 = c.get("search_cv_macro_f1", c.get("cv_macro_f1"))
        shown = f"{f1:.4f}" if isinstance(f1, int | float) else "?"
        k = c.get("cost")
        mark = "*" if c.get("chosen") else " "
        lines.append(
            f"{mark:<2}{name:<{width}}"
            f"{(f'{k:g}' if isinstance(k, int | float) else '?'):>6}{shown:>20}"
        )
    rows, searched = selection.get("rows"), selection.get("search_rows")
    left_out = selection.get("left_out")
    if isinstance(left_out, list) and left_out:
        chars = selection.get("chars")
        why = f"{chars:,} characters of text" if isinstance(chars, int) else "too much text"
        lines.append(f"left out {len(left_out)} character n-gram candidates: {why}")
    if selection.get("sampled"):
        lines.append(
            f"searched on {searched} of {rows} rows; the choice cross-validated and fitted on all"
        )
    elif isinstance(rows, int):
        lines.append(f"searched on all {rows} rows")
    if "prefer" in selection:
        lines.append(
            f"chosen (*): the cheapest within {selection.get('margin')} of the best "
            f"(--prefer {selection['prefer']}); its CV macro-F1 "
            f"{selection.get('cv_macro_f1', '?')}"
        )
    return "\n".join(lines)


def _candidate(config: dict[str, Any]) -> str:
    """A config in a few words: its n-grams, min_df and C."""

    def span(value: Any) -> str:
        return f"{value[0]}-{value[1]}" if isinstance(value, list | tuple) else "?"

    text = f"word {span(config.get('word_ngrams'))}"
    if config.get("char_ngrams"):
        text += f" + char {span(config['char_ngrams'])}"
    if config.get("context"):
        text += " + who speaks"
    return f"{text}, min_df {config.get('min_df', '?')}, C {config.get('C', '?')}"


def _metrics_table(metrics: dict[str, Any], what: str) -> str:
    lines = [f"{'label':<18}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for label, m in metrics["per_label"].items():
        lines.append(
            f"{label:<18}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}"
            f"{m['support']:>10}"
        )
    lines.append(f"{what}: macro-F1 {metrics['macro_f1']:.4f}, accuracy {metrics['accuracy']:.4f}")
    if "f_avg" in metrics:
        lines.append(f"F_avg ({', '.join(metrics['f_avg_labels'])}): {metrics['f_avg']:.4f}")
    if "calibration" in metrics:
        lines.append(f"expected calibration error: {metrics['calibration']['ece']:.4f}")
    return "\n".join(lines)


def _per_target_table(per_target: dict[str, Any]) -> str:
    lines = ["", f"{'target / label':<18}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for target, metrics in per_target.items():
        lines.append(target)
        for label, m in metrics["per_label"].items():
            lines.append(
                f"  {label:<16}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}"
                f"{m['support']:>10}"
            )
        favg = f"F_avg {metrics['f_avg']:.4f}, " if "f_avg" in metrics else ""
        lines.append(f"  {favg}macro-F1 {metrics['macro_f1']:.4f} ({metrics['n']} rows)")
    return "\n".join(lines)


def _annotation_table(result: dict[str, Any]) -> str:
    width = max(60, shutil.get_terminal_size((100, 20)).columns) - 32
    lines = [f"model {result['model']['version']} (scheme {result['model']['scheme']})", ""]
    for s in result["sentences"]:
        mark = "?" if s["uncertain"] else " "
        wrapped = textwrap.wrap(s["text"], width) or [""]
        lines.append(f"{s['index']:>3} {s['label']:<16}{s['confidence']:>5.2f}{mark} {wrapped[0]}")
        lines.extend(f"{'':>27} {w}" for w in wrapped[1:])
        source = s.get("source")
        if source:
            party = source["party"] or "outside the scheme"
            earlier = ", named earlier" if source["inherited"] else ""
            lines.append(f"{'':>27} who speaks: {source['text']} ({party}{earlier})")
        if s.get("reason") in ("unknown_vocabulary", "language"):
            lines.append(f"{'':>27} uncertain: {s['reason'].replace('_', ' ')}")
    lines.append("")
    summary = result["summary"]
    voices = summary.get("voices", {})
    for label, n in summary["counts"].items():
        said = f"   words reported in {len(voices[label])}" if label in voices else ""
        lines.append(f"{label:<18}{n:>4}  {summary['shares'][label]:>6.1%}{said}")
    lines.append(f"dominant framing: {summary['dominant']}   (? = uncertain)")
    if "article" in summary:
        article = summary["article"]
        lines.append(f"whole article: {article['label']} ({article['confidence']:.2f})")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
