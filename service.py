"""The HTTP face of framelens: a JSON API under /v1, the annotation page at /, /openapi.json.

``create_app`` builds the Flask app and loads the current model once. Each worker process then
follows the registry: a daemon thread polls ``state.json`` and, when another version is promoted,
loads it fully and swaps one reference. Every request reads that reference once, so it finishes
on the model it started with and its response names that model's version.

Run it with ``framelens serve`` (gunicorn); ``create_app`` is the factory gunicorn calls.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import socket
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from flask import Flask, Response, current_app, g, jsonify, request
from flask.json.provider import JSONProvider
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from classifier import (
    FramelensError,
    Model,
    ModelNotFoundError,
    ModelRegistry,
    TextEncodingError,
    TextError,
    annotate,
    available_schemes,
    decode_text,
    load_scheme,
)
from classifier.annotate import model_info
from classifier.registry import default_model_dir

log = logging.getLogger(__name__)

# The page and openapi.json ship inside the framelens package, so an installed wheel serves them.
STATIC = resources.files("framelens").joinpath("static")
# The response header naming the model version that answered (or "-"), shown in the access log.
MODEL_HEADER = "X-Framelens-Model"
# One line per request: method, path, status, milliseconds, model version.
ACCESS_LOG_FORMAT = "%(m)s %(U)s %(s)s %(M)sms model=%({x-framelens-model}o)s"
# Versions a request may name beyond the current one: the most recent earlier currents (the ones
# `framelens models rollback` goes back to). Each worker keeps all of them loaded once asked for,
# so naming versions in turn can never force a load per request.
CACHED_VERSIONS = 3
# The charsets a text/plain body may declare: each decodes to text without lone surrogates.
TEXT_CHARSETS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "iso-8859-1": "latin-1",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "utf-16": "utf-16",
    "utf-16le": "utf-16-le",
    "utf-16be": "utf-16-be",
}
# Sent with every response, page and API alike: the page has no inline script or style, and
# nothing may frame it.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
DEFAULT_MAX_CONTENT_LENGTH = 2 * 1024 * 1024

# Status of each framelens error code; codes not listed are 500s.
_STATUS = {
    "unusable_text": 422,
    "model_not_found": 404,
    "no_model": 503,
    "invalid_request": 400,
    "model_integrity": 500,
}
# Messages a person can act on, for the HTTP errors Flask raises itself.
_HTTP_MESSAGES = {
    400: "the request could not be read: {detail}",
    404: "no such page or endpoint: {method} {path}; the API is described at /openapi.json",
    405: "{method} is not allowed on {path}; use {allowed}",
    413: "the request body is larger than the limit of {limit}; send a shorter article "
    "or split the batch",
    415: "send JSON with 'Content-Type: application/json' (or, to /v1/annotate, "
    "the article itself with 'Content-Type: text/plain; charset=utf-8')",
}


class OrjsonProvider(JSONProvider):
    """Flask's JSON through orjson, keeping key order: an annotation's nested records encode
    about 15 times faster than with the standard library, a tenth of a request's time."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return orjson.dumps(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        body = orjson.dumps(self._prepare_response_obj(args, kwargs))
        return self._app.response_class(body, mimetype="application/json")


class ApiError(FramelensError):
    """A request that breaks the API's rules; ``code`` and ``status`` pick the response."""

    def __init__(self, message: str, *, code: str = "invalid_request", status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status


class NoModelError(FramelensError):
    """No model to serve. The message names no path: clients read it (the log has the detail)."""

    code = "no_model"

    def __init__(self, failed: str | None = None) -> None:
        detail = (
            f"the current model could not be loaded: {failed}"
            if failed
            else "the registry has no current model; train the default with "
            "'framelens train --default', or promote one with 'framelens models promote VERSION'"
        )
        super().__init__(f"no model is loaded: {detail}")


class VersionNotServedError(FramelensError):
    """A request named a version this service does not serve."""

    code = "model_not_found"

    def __init__(self, version: str) -> None:
        super().__init__(
            f"model version {_printable(version)!r} is not served here; name the current version "
            "or one of the versions GET /v1/models marks 'servable', or leave 'model' out"
        )


class ConfigError(FramelensError):
    """A ``FRAMELENS_*`` variable whose value the service cannot use."""

    code = "invalid_config"

    def __init__(self, name: str, value: str, expected: str) -> None:
        self.name, self.value, self.expected = name, value, expected
        super().__init__(f"{name}={value!r} is not valid: expected {expected}")


def _positive_int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() and int(value) > 0 else None


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds < float("inf") else None


def _directory(value: str) -> str | None:
    return value if value.strip() and not Path(value).is_file() else None


# Every FRAMELENS_* setting: how to read its value, and the form it must have.
SETTINGS: dict[str, tuple[Callable[[str], Any], str]] = {
    "MODEL_DIR": (_directory, "a directory path (the model registry)"),
    "ADMIN_TOKEN": (lambda v: v or None, "any text (the bearer token for /v1/admin/reload)"),
    "MAX_SENTENCES": (_positive_int, "a whole number of sentences above 0, e.g. 2000"),
    "MAX_BATCH_ARTICLES": (_positive_int, "a whole number of articles above 0, e.g. 64"),
    "RELOAD_INTERVAL": (_seconds, "a number of seconds, 0 or more, e.g. 2 (0: never poll)"),
    "MAX_CONTENT_LENGTH": (_positive_int, "a whole number of bytes above 0, e.g. 2097152"),
}


def config_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """The service's settings from ``FRAMELENS_*`` variables, each checked.

    Raises
    ------
    ConfigError
        For the first variable that is unknown or whose value has the wrong form.
    """
    config: dict[str, Any] = {}
    for name in sorted(environ):
        if not name.startswith("FRAMELENS_"):
            continue
        key, value = name[len("FRAMELENS_") :], environ[name]
        if key not in SETTINGS:
            known = ", ".join(f"FRAMELENS_{k}" for k in SETTINGS)
            raise ConfigError(name, value, f"one of the known variables ({known})")
        parse, expected = SETTINGS[key]
        parsed = parse(value)
        if parsed is None and key != "ADMIN_TOKEN":
            raise ConfigError(name, value, expected)
        config[key] = parsed
    return config


class ModelHolder:
    """The registry, the model this worker serves, and the machinery that swaps it.

    ``model`` is one reference. Readers take it once and keep using what they took; ``reload``
    builds the new model completely before assigning it, so a reader never sees half a model.
    """

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry
        self.model: Model | None = None
        self.load_error: str | None = None
        self._token: object = None
        self._reload_lock = threading.Lock()
        self._cache: OrderedDict[str, Model] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._poller: threading.Thread | None = None
        self._poller_lock = threading.Lock()

    def reload(self, *, force: bool = False) -> Model | None:
        """Load the registry's current version if it changed (or ``force``); return the model.

        A version that fails to load is logged and the old model kept, so a bad promotion never
        takes a working server down.
        """
        with self._reload_lock:
            token = self.registry.state_token()  # read first: a change during the load is seen
            if not force and token == self._token and self.model is not None:
                return self.model
            try:
                version = self.registry.current()
                if version is None:
                    self.load_error = None
                    self._token = token
                    return self.model
                if self.model is None or self.model.version != version or force:
                    new = self.registry.load(version).warm()
                    self.model = new  # the swap: one reference, assigned after a complete load
                    log.info("serving model %s", new.version)
                self.load_error = None
                self._token = token
            except FramelensError as exc:
                self.load_error = str(exc)
                self._token = token
                log.error("could not load the current model: %s", exc)
                if force:
                    raise
            return self.model

    def get(self, version: str | None = None) -> Model:
        """The model to serve one request: the current one, or the version asked for."""
        model = self.model
        if version in (None, "", "current"):
            if model is None:
                raise NoModelError(failed=self.public_load_error())
            return model
        if not isinstance(version, str):
            raise ApiError(f"'model' must be a version string, got {type(version).__name__}")
        if model is not None and version == model.version:
            return model
        if version not in self.servable():
            raise VersionNotServedError(version)
        with self._cache_lock:  # one load at a time; a second request for it waits and reuses it
            if version in self._cache:
                self._cache.move_to_end(version)
                return self._cache[version]
            try:
                loaded = self.registry.load(version).warm()
            except FramelensError as exc:
                log.error("could not load model %s asked for by a request: %s", version, exc)
                raise VersionNotServedError(version) from None
            self._cache[version] = loaded
            while len(self._cache) > CACHED_VERSIONS:
                self._cache.popitem(last=False)
        return loaded

    def public_load_error(self) -> str | None:
        """Why the current model failed to load, with paths inside the registry named relative
        to it: a client learns what broke, not where the server keeps its files."""
        if self.load_error is None:
            return None
        root = str(Path(self.registry.root))
        return self.load_error.replace(root + os.sep, "").replace(root, "the registry")

    def servable(self) -> list[str]:
        """The versions a request may name: the current one, then up to ``CACHED_VERSIONS``
        earlier currents, most recent first."""
        current = self.registry.current()
        found = [current] if current else []
        for version in reversed(self.registry.history()):
            if len(found) > CACHED_VERSIONS:
                break
            if version not in found:
                found.append(version)
        return found

    def start_polling(self, interval: float) -> None:
        """Start (once per process) the daemon thread that follows the registry's current."""
        if interval <= 0 or self._poller is not None:
            return
        with self._poller_lock:
            if self._poller is not None:
                return
            self._poller = threading.Thread(
                target=self._poll, args=(interval,), name="framelens-model-poller", daemon=True
            )
            self._poller.start()

    def _poll(self, interval: float) -> None:
        stop = threading.Event()
        while not stop.wait(interval):
            try:
                self.reload()
            except Exception:  # the poller must outlive any one bad load
                log.exception("model poller: reload failed")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, then the model, then the routes."""
    app = Flask(__name__, static_folder=str(STATIC), static_url_path="/static")
    app.json = OrjsonProvider(app)  # keeps annotate()'s key order and the scheme's label order
    app.config.from_mapping(
        MODEL_DIR=str(default_model_dir()),
        MAX_CONTENT_LENGTH=DEFAULT_MAX_CONTENT_LENGTH,
        MAX_SENTENCES=2000,
        MAX_BATCH_ARTICLES=64,
        ADMIN_TOKEN=None,
        RELOAD_INTERVAL=2.0,
    )
    if test_config is None:
        # Checked here and by ``serve`` before any worker starts: a bad value stops the server
        # at start-up instead of failing every request.
        app.config.from_mapping(config_from_env(os.environ))
    else:
        app.config.from_mapping(test_config)

    holder = ModelHolder(ModelRegistry(app.config["MODEL_DIR"]))
    holder.reload()
    app.extensions["framelens"] = holder

    @app.before_request
    def _follow_registry() -> None:
        holder.start_polling(float(app.config["RELOAD_INTERVAL"]))

    @app.after_request
    def _name_the_model(response: Response) -> Response:
        # Read by the access log: the version that produced this response, "-" if none did.
        response.headers[MODEL_HEADER] = g.get("framelens_model", "-")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.register_error_handler(FramelensError, _framelens_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _internal_error)
    _add_routes(app)
    return app


def get_holder() -> ModelHolder:
    """The current app's ``ModelHolder``."""
    return current_app.extensions["framelens"]


def _request_model(version: str | None) -> Model:
    """The model for this request, remembered for its response header and the access log."""
    model = get_holder().get(version)
    g.framelens_model = model.version
    return model


# Routes ------------------------------------------------------------------------------------------


def _add_routes(app: Flask) -> None:
    app.add_url_rule("/", "page", _page)
    app.add_url_rule("/healthz", "healthz", _healthz)
    app.add_url_rule("/readyz", "readyz", _readyz)
    app.add_url_rule("/openapi.json", "openapi", _openapi)
    app.add_url_rule("/v1/annotate", "annotate", _annotate, methods=["POST"])
    app.add_url_rule("/v1/annotate/batch", "annotate_batch", _annotate_batch, methods=["POST"])
    app.add_url_rule("/v1/models", "models", _models)
    app.add_url_rule("/v1/schemes", "schemes", _schemes)
    app.add_url_rule("/v1/admin/reload", "admin_reload", _admin_reload, methods=["POST"])


def _page() -> Response:
    return Response(STATIC.joinpath("index.html").read_bytes(), mimetype="text/html")


def _healthz() -> Response:
    return jsonify(status="ok")


def _readyz() -> tuple[Response, int]:
    holder = get_holder()
    model = holder.model
    if model is None:
        raise NoModelError(failed=holder.public_load_error())
    g.framelens_model = model.version
    return jsonify(status="ready", model=model.version), 200


def _openapi() -> Response:
    doc = json.loads(STATIC.joinpath("openapi.json").read_text(encoding="utf-8"))
    return jsonify(doc)


def _annotate() -> Response:
    body = _read_body(allow_text=True)
    if isinstance(body, str):
        text, version, target = body, None, None
    else:
        _check_fields(body, required={"text"}, optional={"model", "target"})
        text, version, target = body["text"], body.get("model"), body.get("target")
        if not isinstance(text, str):
            raise ApiError(f"'text' must be a string, got {_json_type(text)}")
        if target is not None and not isinstance(target, str):
            raise ApiError(f"'target' must be a string, got {_json_type(target)}")
        text = decode_text(text)
    model = _request_model(version)
    limit = current_app.config["MAX_SENTENCES"]
    return jsonify(annotate(model, text, max_sentences=limit, target=target))


def _annotate_batch() -> Response:
    body = _read_body(allow_text=False)
    _check_fields(body, required={"articles"}, optional={"model"})
    articles = body["articles"]
    limit = current_app.config["MAX_BATCH_ARTICLES"]
    if not isinstance(articles, list) or not articles:
        raise ApiError('\'articles\' must be a non-empty list of {"id": ..., "text": ...}')
    if len(articles) > limit:
        raise ApiError(f"a batch holds at most {limit} articles, got {len(articles)}; split it")
    seen: set[str] = set()
    for i, item in enumerate(articles):
        if not isinstance(item, dict):
            raise ApiError(f"articles[{i}] must be an object with 'id' and 'text'")
        _check_fields(item, required={"id", "text"}, optional={"target"}, where=f"articles[{i}]")
        if not isinstance(item.get("target", ""), str):
            raise ApiError(f"articles[{i}].target must be a string")
        if not isinstance(item["id"], str) or not item["id"]:
            raise ApiError(f"articles[{i}].id must be a non-empty string")
        if not isinstance(item["text"], str):
            raise ApiError(f"articles[{i}].text must be a string, got {_json_type(item['text'])}")
        if item["id"] in seen:
            raise ApiError(
                f"articles[{i}].id '{_printable(item['id'])}' is used twice; ids must be unique"
            )
        seen.add(item["id"])
    model = _request_model(body.get("model"))
    max_sentences = current_app.config["MAX_SENTENCES"]
    results = []
    for item in articles:
        try:
            results.append(
                {
                    "id": item["id"],
                    **annotate(
                        model,
                        decode_text(item["text"]),
                        max_sentences=max_sentences,
                        target=item.get("target"),
                    ),
                }
            )
        except TextError as exc:
            results.append({"id": item["id"], "error": _error_body(exc.code, str(exc))["error"]})
    return jsonify(model=model_info(model), results=results)


def _models() -> Response:
    holder = get_holder()
    registry = holder.registry
    current = registry.current()
    served = holder.model
    servable = set(holder.servable())
    versions = []
    for version in registry.versions():
        manifest = registry.manifest(version)
        data = manifest.get("training_data", {})
        versions.append(
            {
                "version": version,
                "current": version == current,
                "servable": version in servable,
                "created_at": manifest.get("created_at"),
                "scheme": manifest.get("scheme_name"),
                "sklearn_version": manifest.get("sklearn_version"),
                "training_rows": data.get("rows"),
                "training_articles": data.get("articles"),
                "metrics": _headline_metrics(manifest.get("metrics", {})),
            }
        )
    return jsonify(current=current, serving=served.version if served else None, versions=versions)


def _schemes() -> Response:
    model = get_holder().model
    return jsonify(
        current=(
            {"model": model.version, "scheme": model.scheme.to_dict()}
            if model is not None
            else None
        ),
        shipped=[load_scheme(name).to_dict() for name in available_schemes()],
    )


def _admin_reload() -> Response:
    token = current_app.config["ADMIN_TOKEN"]
    if not token:
        raise ApiError(
            "admin endpoints are off: set FRAMELENS_ADMIN_TOKEN to turn them on",
            code="not_found",
            status=404,
        )
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        raise ApiError(
            "send the admin token as 'Authorization: Bearer <FRAMELENS_ADMIN_TOKEN>'",
            code="unauthorized",
            status=401,
        )
    if not hmac.compare_digest(auth[len("Bearer ") :].encode(), str(token).encode()):
        raise ApiError(
            "the admin token is wrong; use the value of FRAMELENS_ADMIN_TOKEN",
            code="forbidden",
            status=403,
        )
    holder = get_holder()
    before = holder.model.version if holder.model else None
    model = holder.reload(force=True)
    if model is None:
        raise NoModelError()
    return jsonify(model=model.version, previous=before)


# Request parsing ---------------------------------------------------------------------------------


def _read_body(*, allow_text: bool) -> Any:
    """The parsed JSON body, or (with ``allow_text``) a text/plain body as a string."""
    mimetype = request.mimetype
    if mimetype == "application/json":
        try:
            # orjson, not json: it refuses lone surrogates (which no response could encode),
            # nesting past 1,024 levels and numbers out of range, each as a JSONDecodeError.
            body = orjson.loads(decode_text(_body_bytes(), source="the body"))
        except TextEncodingError as exc:
            raise ApiError(f"{exc}; send UTF-8 encoded JSON") from None
        except json.JSONDecodeError as exc:
            raise ApiError(
                f"the body is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
                code="invalid_json",
            ) from None
        if not isinstance(body, dict):
            raise ApiError(f"the JSON body must be an object, got {_json_type(body)}")
        return body
    if allow_text and mimetype == "text/plain":
        asked = request.mimetype_params.get("charset", "utf-8").lower()
        charset = TEXT_CHARSETS.get(asked)
        if charset is None:
            raise ApiError(
                f"charset {_printable(asked)!r} is not accepted; send UTF-8 text "
                f"(accepted: {', '.join(sorted(TEXT_CHARSETS))})",
                code="unsupported_media_type",
                status=415,
            )
        raw = _body_bytes()
        try:
            if charset == "utf-8":
                return decode_text(raw, source="the body")
            return decode_text(raw.decode(charset))
        except TextEncodingError as exc:
            raise ApiError(f"{exc}; send UTF-8 text") from None
        except UnicodeDecodeError:
            raise ApiError(f"the text is not valid {asked}; send UTF-8 text") from None
    raise ApiError(
        _HTTP_MESSAGES[415] + f" (got '{mimetype or 'no Content-Type'}')",
        code="unsupported_media_type",
        status=415,
    )


def _body_bytes() -> bytes:
    """The whole request body, refused with 413 past ``MAX_CONTENT_LENGTH`` however it is sent.

    A chunked body has no Content-Length, and Werkzeug's stream for it stops at the limit
    without saying so: read the server's stream directly, one byte past the limit.
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    try:
        if request.content_length is not None or not request.environ.get("wsgi.input_terminated"):
            return request.get_data(cache=False)
        stream = request.environ["wsgi.input"]
        parts, size = [], 0
        while size <= limit:
            part = stream.read(min(64 * 1024, limit + 1 - size))
            if not part:
                break
            parts.append(part)
            size += len(part)
    except HTTPException:
        raise
    except Exception as exc:  # a malformed chunked encoding, a client that went away
        log.info("could not read a request body: %r", exc)
        raise ApiError(
            f"the request body could not be read ({type(exc).__name__}); "
            "send a valid Content-Length or chunked body"
        ) from None
    if size > limit:
        raise RequestEntityTooLarge()
    return b"".join(parts)


def _printable(value: str) -> str:
    """``value`` with anything JSON cannot carry (a lone surrogate) written as an escape."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _check_fields(
    body: dict[str, Any], *, required: set[str], optional: set[str], where: str = "the body"
) -> None:
    missing = sorted(required - body.keys())
    if missing:
        raise ApiError(f"{where} needs the field(s) {', '.join(repr(m) for m in missing)}")
    unknown = sorted(body.keys() - required - optional)
    if unknown:
        allowed = ", ".join(sorted(required | optional))
        names = ", ".join(_printable(name) for name in unknown)
        raise ApiError(f"{where} has unknown field(s) {names} (allowed: {allowed})")


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def _headline_metrics(metrics: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("macro_f1", "accuracy", "f_avg", "n")
    shown = {k: metrics[k] for k in keys if k in metrics}
    ece = metrics.get("calibration", {}).get("ece") if isinstance(metrics, Mapping) else None
    if ece is not None:
        shown["ece"] = ece
    # Every float the API sends has 4 decimals, as annotations do.
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in shown.items()}


# Errors: one shape for all -----------------------------------------------------------------------


def _error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": _printable(message)}}


def _framelens_error(exc: FramelensError) -> tuple[Response, int]:
    status = getattr(exc, "status", None) or _STATUS.get(exc.code, 500)
    message = str(exc)
    client_caused = isinstance(exc, ApiError | TextError | NoModelError | VersionNotServedError)
    if not client_caused:
        # Raised by the registry: its message names paths and versions, which are the server's
        # business. The log keeps it; the client learns what happened.
        log.error("%s on %s %s: %s", exc.code, request.method, request.path, exc)
        if isinstance(exc, ModelNotFoundError) and exc.version is None:
            status, message = 503, str(NoModelError())
        elif isinstance(exc, ModelNotFoundError):
            status, message = 404, str(VersionNotServedError(exc.version or ""))
        else:
            message = "the model could not be loaded; the server's log says why"
    return jsonify(_error_body(exc.code, message)), status


def _http_error(exc: HTTPException) -> tuple[Response, int]:
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_")
    template = _HTTP_MESSAGES.get(status)
    if status == 405:
        allowed = ", ".join(sorted(set(exc.valid_methods or []) - {"HEAD", "OPTIONS"}))
        message = template.format(method=request.method, path=request.path, allowed=allowed)
    elif status == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        message = template.format(limit=f"{limit / 1024 / 1024:g} MiB ({limit} bytes)")
        code = "too_large"
    elif template:
        message = template.format(method=request.method, path=request.path, detail=exc.description)
    else:
        message = exc.description or exc.name
    response = jsonify(_error_body(code, message))
    if status == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response, status


def _internal_error(exc: Exception) -> tuple[Response, int]:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return jsonify(
        _error_body("internal_error", "the server failed on this request; see its log")
    ), 500


# Running under gunicorn --------------------------------------------------------------------------

# Set for every worker: numpy's BLAS and OpenMP pools would otherwise start one thread per core in
# each worker process and fight the other workers for the same cores.
SINGLE_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class PortInUseError(FramelensError):
    code = "port_in_use"

    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(
            f"cannot listen on {host}:{port} ({reason}); stop what is running there "
            "or choose another port with --port"
        )


def check_port_free(host: str, port: int) -> None:
    """Raise ``PortInUseError`` unless ``host:port`` can be bound now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUseError(host, port, exc.strerror or str(exc)) from None


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int | None = None,
    threads: int = 1,
    model_dir: str | Path | None = None,
    on_ready: Callable[[str], None] | None = None,
    app_factory: Callable[[], Flask] | None = None,
    access_log: bool = True,
    worker_class: str | None = None,
) -> None:
    """Run the app under gunicorn in this process until it is stopped.

    Nothing is preloaded: each worker builds its own app (and loads the model) after the fork,
    so no thread or open file is shared across processes. ``app_factory`` (default
    ``create_app``) lets the benchmark run another app under exactly these settings.
    ``access_log`` writes one line per request to standard output (``ACCESS_LOG_FORMAT``).
    ``worker_class`` names another gunicorn worker (the benchmark compares ``"sync"``); by
    default, ``BufferingWorker``.

    Raises
    ------
    ConfigError
        If a ``FRAMELENS_*`` variable has a value the service cannot use.
    PortInUseError
        If ``host:port`` cannot be bound.
    """
    from gunicorn.app.base import BaseApplication

    from framelens._http_worker import BufferingWorker

    if model_dir is not None:
        os.environ["FRAMELENS_MODEL_DIR"] = str(model_dir)
    settings = config_from_env(os.environ)  # a bad FRAMELENS_* value stops here, before any worker
    if port:
        check_port_free(host, port)
    for name in SINGLE_THREAD_ENV:
        os.environ[name] = "1"

    def post_fork(server: Any, worker: Any) -> None:
        # numpy may already be imported in the master (the CLI imports it) with its pools sized.
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)

    def when_ready(server: Any) -> None:
        if on_ready is not None:
            on_ready(f"http://{host}:{port}")

    worker = type(
        "FramelensWorker",
        (BufferingWorker,),
        {"max_body": int(settings.get("MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH))},
    )
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or os.cpu_count() or 1,
        "threads": threads,
        # Every request is read whole on the worker's event loop before a thread runs the app,
        # so idle and slow clients hold no thread (framelens/_http_worker.py).
        "worker_class": worker_class or worker,
        "preload_app": False,
        "post_fork": post_fork,
        "when_ready": when_ready,
        "accesslog": "-" if access_log else None,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "warning",
    }

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return (app_factory or create_app)()

    _Gunicorn().run()
