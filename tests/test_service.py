"""The HTTP API: every endpoint, every error in one shape, responses true to /openapi.json."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from classifier import ModelRegistry
from service import create_app, get_holder

TINY_CSV = Path(__file__).parent / "data" / "tiny.csv"
OPENAPI = json.loads(resources.files("framelens").joinpath("static", "openapi.json").read_text())
TOKEN = "s3cret-admin-token"


def schema_of(name: str) -> Draft202012Validator:
    """A validator for one of the document's component schemas, with its $refs resolvable."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": OPENAPI["components"]}
    return Draft202012Validator(schema)


def response_schema(path: str, method: str, status: int) -> Draft202012Validator:
    """The validator the OpenAPI document gives for a path's response with ``status``."""
    response = OPENAPI["paths"][path][method.lower()]["responses"][str(status)]
    if "$ref" in response:
        response = OPENAPI["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": OPENAPI["components"]})


def check(response, path: str, method: str = "GET") -> dict:
    """The JSON body, after checking it against the documented schema for its status."""
    body = response.get_json()
    errors = list(response_schema(path, method, response.status_code).iter_errors(body))
    assert not errors, [e.message for e in errors]
    return body


def train_unpromoted(registry: ModelRegistry) -> str:
    """Train a second tiny model into ``registry`` and leave the first one current."""
    from training import train

    result = train([TINY_CSV], scheme="sahel", registry=registry, force=True, n_jobs=1)
    registry.rollback()
    return result.version


# Happy paths -------------------------------------------------------------------------------------


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert check(response, "/healthz") == {"status": "ok"}


def test_readyz_names_the_served_version(client, registry):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert check(response, "/readyz")["model"] == registry.current()


def test_readyz_is_503_without_a_model(tmp_path):
    client = create_app({"MODEL_DIR": str(tmp_path / "empty"), "RELOAD_INTERVAL": 0}).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = check(response, "/readyz")
    assert body["error"]["code"] == "no_model"
    assert "framelens train" in body["error"]["message"]


def test_annotate_json_returns_the_annotate_contract(client, registry, article, tiny_model):
    from classifier import annotate

    response = client.post("/v1/annotate", json={"text": article})
    assert response.status_code == 200
    body = check(response, "/v1/annotate", "POST")
    assert body == annotate(tiny_model, article)
    assert body["model"]["version"] == registry.current()


def test_annotate_accepts_plain_text(client, article):
    response = client.post(
        "/v1/annotate", data=article.encode(), content_type="text/plain; charset=utf-8"
    )
    assert response.status_code == 200
    body = check(response, "/v1/annotate", "POST")
    assert [s["text"] for s in body["sentences"]][0] == "Mali accuses Kyiv of backing rebels"


def test_annotate_uses_the_version_asked_for(client, registry, article):
    older = registry.current()
    newer = train_unpromoted(registry)
    registry.promote(newer)
    get_holder_of(client).reload()
    response = client.post("/v1/annotate", json={"text": article, "model": older})
    assert response.status_code == 200
    assert check(response, "/v1/annotate", "POST")["model"]["version"] == older
    response = client.post("/v1/annotate", json={"text": article})
    assert response.get_json()["model"]["version"] == newer


def get_holder_of(client):
    with client.application.app_context():
        return get_holder()


def test_batch_returns_one_result_per_id_in_order(client, article):
    articles = [{"id": "b", "text": article}, {"id": "a", "text": "Kyiv denied the claim."}]
    response = client.post("/v1/annotate/batch", json={"articles": articles})
    assert response.status_code == 200
    body = check(response, "/v1/annotate/batch", "POST")
    assert [r["id"] for r in body["results"]] == ["b", "a"]
    assert len(body["results"][0]["sentences"]) == 6
    assert body["results"][1]["model"] == body["model"]


def test_batch_reports_an_unusable_article_without_failing_the_others(client, article):
    articles = [{"id": "ok", "text": article}, {"id": "blank", "text": "   "}]
    response = client.post("/v1/annotate/batch", json={"articles": articles})
    assert response.status_code == 200
    body = check(response, "/v1/annotate/batch", "POST")
    assert "sentences" in body["results"][0]
    assert body["results"][1]["error"]["code"] == "unusable_text"


def test_models_lists_versions_marks_current_and_shows_scores(client, registry):
    second = train_unpromoted(registry)
    response = client.get("/v1/models")
    assert response.status_code == 200
    body = check(response, "/v1/models")
    assert body["current"] == body["serving"] == registry.current()
    assert [v["version"] for v in body["versions"]] == registry.versions()
    assert {v["version"]: v["current"] for v in body["versions"]}[second] is False
    assert all(0 <= v["metrics"]["macro_f1"] <= 1 for v in body["versions"])


def test_schemes_gives_the_served_scheme_and_the_shipped_ones(client, tiny_model):
    response = client.get("/v1/schemes")
    assert response.status_code == 200
    body = check(response, "/v1/schemes")
    assert body["current"]["model"] == tiny_model.version
    labels = body["current"]["scheme"]["labels"]
    assert [(lab["id"], lab["color"]) for lab in labels] == [
        (lab.id, lab.color) for lab in tiny_model.scheme.labels
    ]
    assert "sahel" in [s["name"] for s in body["shipped"]]


def test_page_and_its_assets_are_served_by_the_app(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    for asset in ("/static/framelens.js", "/static/framelens.css"):
        assert asset in html
        with client.get(asset) as response:
            assert response.status_code == 200
    assert "http://" not in html and "https://" not in html  # nothing from a CDN


def test_config_comes_from_framelens_environment_variables(monkeypatch, registry):
    monkeypatch.setenv("FRAMELENS_MODEL_DIR", str(registry.root))
    monkeypatch.setenv("FRAMELENS_ADMIN_TOKEN", TOKEN)
    monkeypatch.setenv("FRAMELENS_RELOAD_INTERVAL", "0")
    monkeypatch.setenv("FRAMELENS_MAX_BATCH_ARTICLES", "3")
    app = create_app()
    assert app.config["ADMIN_TOKEN"] == TOKEN
    assert app.config["MAX_BATCH_ARTICLES"] == 3
    response = app.test_client().get("/readyz")
    assert response.get_json()["model"] == registry.current()


def test_a_bad_setting_stops_create_app_instead_of_every_request(monkeypatch, registry):
    from service import ConfigError

    monkeypatch.setenv("FRAMELENS_MODEL_DIR", str(registry.root))
    monkeypatch.setenv("FRAMELENS_MAX_CONTENT_LENGTH", "2MiB")
    with pytest.raises(ConfigError, match=r"FRAMELENS_MAX_CONTENT_LENGTH='2MiB' is not valid"):
        create_app()


def test_json_floats_are_rounded_to_4_decimals(client, article):
    response = client.post("/v1/annotate", json={"text": article})
    assert response.status_code == 200
    decimals = [
        len(repr(v).split(".")[1])
        for s in response.get_json()["sentences"]
        for v in [s["confidence"], *s["probabilities"].values()]
        if isinstance(v, float)
    ]
    assert decimals and max(decimals) <= 4


def test_every_response_names_the_model_that_answered(client, registry):
    assert (
        client.post("/v1/annotate", json={"text": "Kyiv denied it."}).headers["X-Framelens-Model"]
        == registry.current()
    )
    assert client.get("/healthz").headers["X-Framelens-Model"] == "-"


@pytest.mark.parametrize("token", ["1e3", "true", "0123", "null"])
def test_admin_token_from_the_environment_is_kept_as_written(monkeypatch, registry, token):
    monkeypatch.setenv("FRAMELENS_MODEL_DIR", str(registry.root))
    monkeypatch.setenv("FRAMELENS_ADMIN_TOKEN", token)
    client = create_app().test_client()
    response = client.post("/v1/admin/reload", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["model"] == registry.current()


# Errors: status and body -------------------------------------------------------------------------

# fmt: off
ERRORS = [
    # (method, path, request kwargs, status, code, words the message must hold)
    ("post", "/v1/annotate", {"data": "{oops", "content_type": "application/json"}, 400,
     "invalid_json", "not valid JSON"),
    ("post", "/v1/annotate", {"json": ["a list"]}, 400, "invalid_request", "must be an object"),
    ("post", "/v1/annotate", {"json": {"txt": "hi"}}, 400, "invalid_request", "'text'"),
    ("post", "/v1/annotate", {"json": {"text": 5}}, 400, "invalid_request", "must be a string"),
    ("post", "/v1/annotate", {"json": {"text": "Hi.", "extra": 1}}, 400, "invalid_request",
     "unknown field(s) extra"),
    ("post", "/v1/annotate", {"json": {"text": "Hi.", "model": 3}}, 400, "invalid_request",
     "'model' must be a version string"),
    ("post", "/v1/annotate", {"json": {"text": "Hi.", "model": "no-such-model"}}, 404,
     "model_not_found", "is not served here"),
    ("post", "/v1/annotate", {"json": {"text": "Hi.", "model": "../../etc/passwd"}}, 404,
     "model_not_found", "is not served here"),
    ("post", "/v1/annotate", {"data": b"\xff\xfe", "content_type": "text/plain"}, 400,
     "invalid_request", "UTF-8"),
    ("post", "/v1/annotate", {"data": "<a/>", "content_type": "application/xml"}, 415,
     "unsupported_media_type", "Content-Type: application/json"),
    ("post", "/v1/annotate", {"data": "x" * (3 << 20), "content_type": "text/plain"}, 413,
     "too_large", "2 MiB"),
    ("post", "/v1/annotate", {"json": {"text": " \n\t "}}, 422, "unusable_text",
     "no sentence"),
    ("post", "/v1/annotate", {"json": {"text": "One. Two. Three. Four. Five. Six."}}, 422,
     "unusable_text", "limit of 5"),
    ("get", "/v1/annotate", {}, 405, "method_not_allowed", "use POST"),
    ("get", "/v2/nothing", {}, 404, "not_found", "/openapi.json"),
    ("post", "/v1/annotate/batch", {"data": "plain", "content_type": "text/plain"}, 415,
     "unsupported_media_type", "application/json"),
    ("post", "/v1/annotate/batch", {"json": {"articles": []}}, 400, "invalid_request",
     "non-empty list"),
    ("post", "/v1/annotate/batch",
     {"json": {"articles": [{"id": "x", "text": "A."}, {"id": "x", "text": "B."}]}}, 400,
     "invalid_request", "'x' is used twice"),
    ("post", "/v1/annotate/batch",
     {"json": {"articles": [{"id": str(i), "text": "A."} for i in range(4)]}}, 400,
     "invalid_request", "at most 3 articles, got 4"),
    ("post", "/v1/annotate/batch", {"json": {"articles": [{"id": "x"}]}}, 400,
     "invalid_request", "articles[0] needs the field(s) 'text'"),
]
# fmt: on


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code", "words"),
    ERRORS,
    ids=[f"{e[3]}-{e[4]}-{i}" for i, e in enumerate(ERRORS)],
)
def test_errors_have_one_shape_and_say_what_to_do(
    registry, method, path, kwargs, status, code, words
):
    app = create_app(
        {
            "MODEL_DIR": str(registry.root),
            "RELOAD_INTERVAL": 0,
            "MAX_SENTENCES": 5,
            "MAX_BATCH_ARTICLES": 3,
        }
    )
    response = getattr(app.test_client(), method)(path, **kwargs)
    assert response.status_code == status
    body = response.get_json()
    assert list(body) == ["error"]
    assert body["error"]["code"] == code
    assert words in body["error"]["message"]
    assert not list(schema_of("Error").iter_errors(body))


def test_annotate_without_a_model_is_503_with_how_to_fix(tmp_path, article):
    client = create_app({"MODEL_DIR": str(tmp_path / "empty"), "RELOAD_INTERVAL": 0}).test_client()
    response = client.post("/v1/annotate", json={"text": article})
    assert response.status_code == 503
    body = check(response, "/v1/annotate", "POST")
    assert body["error"]["code"] == "no_model"
    assert "framelens train" in body["error"]["message"]


# OpenAPI -----------------------------------------------------------------------------------------


def test_openapi_is_served_and_documents_every_route(client, app):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented


def test_openapi_schemas_are_valid_json_schema():
    for schema in OPENAPI["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


# Admin reload and following the registry ---------------------------------------------------------


@pytest.fixture
def admin_client(registry):
    app = create_app({"MODEL_DIR": str(registry.root), "RELOAD_INTERVAL": 0, "ADMIN_TOKEN": TOKEN})
    return app.test_client()


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "unauthorized"),
        ({"Authorization": "Basic abc"}, 401, "unauthorized"),
        ({"Authorization": "Bearer wrong"}, 403, "forbidden"),
    ],
)
def test_admin_reload_refuses_a_missing_or_wrong_token(admin_client, headers, status, code):
    response = admin_client.post("/v1/admin/reload", headers=headers)
    assert response.status_code == status
    assert check(response, "/v1/admin/reload", "POST")["error"]["code"] == code


def test_admin_endpoints_are_off_without_a_configured_token(client):
    response = client.post("/v1/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 404
    assert (
        "FRAMELENS_ADMIN_TOKEN" in check(response, "/v1/admin/reload", "POST")["error"]["message"]
    )


def test_admin_reload_switches_to_a_promoted_version(admin_client, registry, article):
    older = registry.current()
    newer = train_unpromoted(registry)
    registry.promote(newer)
    # The poller is off: until the reload, the worker keeps serving the old version.
    stale = admin_client.post("/v1/annotate", json={"text": article})
    assert stale.get_json()["model"]["version"] == older
    response = admin_client.post("/v1/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert check(response, "/v1/admin/reload", "POST") == {"model": newer, "previous": older}
    fresh = admin_client.post("/v1/annotate", json={"text": article})
    assert fresh.get_json()["model"]["version"] == newer
    assert admin_client.get("/readyz").get_json()["model"] == newer
