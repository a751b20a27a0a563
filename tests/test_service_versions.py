"""Which versions a request may name, what naming them costs, and what errors tell a client."""

from __future__ import annotations

import json
import shutil
import threading
import time

import pytest

from classifier import ModelRegistry
from service import CACHED_VERSIONS, SECURITY_HEADERS, create_app, get_holder


def clone_versions(registry: ModelRegistry, n: int) -> list[str]:
    """``n`` copies of the current version under new ids, each promoted in turn: oldest first."""
    source = registry.root / "versions" / registry.current()
    made = []
    for i in range(n):
        version = f"sahel-20300101-00000{i}-c10{i}"
        target = registry.root / "versions" / version
        shutil.copytree(source, target)
        manifest = json.loads((target / "manifest.json").read_text())
        manifest["created_at"] = f"2030-01-01T00:00:0{i}Z"
        (target / "manifest.json").write_text(json.dumps(manifest))
        registry.promote(version)
        made.append(version)
    return made


@pytest.fixture
def counted(registry, monkeypatch):
    """The app over a registry of 6 versions promoted in turn, and a list of every load."""
    versions = [registry.current(), *clone_versions(registry, 5)]
    app = create_app({"MODEL_DIR": str(registry.root), "RELOAD_INTERVAL": 0})
    with app.app_context():
        holder_registry = get_holder().registry
    loads: list[str] = []
    real_load = holder_registry.load

    def load(version=None):
        loads.append(version)
        time.sleep(0.05)  # long enough for two requests to overlap
        return real_load(version)

    monkeypatch.setattr(holder_registry, "load", load)
    return app.test_client(), versions, loads


def test_naming_old_versions_in_turn_loads_each_once(counted):
    client, versions, loads = counted
    earlier = versions[-1 - CACHED_VERSIONS : -1]
    for _ in range(3):
        for version in earlier:
            response = client.post("/v1/annotate", json={"text": "Kyiv said so.", "model": version})
            assert response.status_code == 200
            assert response.get_json()["model"]["version"] == version
    assert sorted(loads) == sorted(earlier)


def test_a_version_outside_the_servable_ones_is_refused_without_loading(counted):
    client, versions, loads = counted
    response = client.post("/v1/annotate", json={"text": "Kyiv said so.", "model": versions[0]})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "model_not_found"
    assert "is not served here" in response.get_json()["error"]["message"]
    assert loads == []


def test_models_marks_the_servable_versions(counted):
    client, versions, _ = counted
    body = client.get("/v1/models").get_json()
    servable = {v["version"] for v in body["versions"] if v["servable"]}
    assert servable == set(versions[-1 - CACHED_VERSIONS :])


def test_two_requests_for_one_unloaded_version_load_it_once(counted):
    client, versions, loads = counted
    app = client.application
    statuses: list[int] = []

    def ask() -> None:
        response = app.test_client().post(
            "/v1/annotate", json={"text": "Kyiv said so.", "model": versions[-2]}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert statuses == [200] * 4
    assert loads == [versions[-2]]


# What an error tells a client (D25) --------------------------------------------------------------


def test_an_unknown_version_names_no_path_and_lists_no_versions(client, registry):
    response = client.post("/v1/annotate", json={"text": "Hi.", "model": "nope"})
    assert response.status_code == 404
    message = response.get_json()["error"]["message"]
    assert str(registry.root) not in message
    assert registry.current() not in message
    assert "GET /v1/models" in message


def test_a_broken_current_model_is_a_503_naming_no_path(registry):
    artefact = registry.root / "versions" / registry.current() / "model.joblib"
    artefact.write_bytes(artefact.read_bytes() + b"tampered")
    client = create_app({"MODEL_DIR": str(registry.root), "RELOAD_INTERVAL": 0}).test_client()
    for response in (client.get("/readyz"), client.post("/v1/annotate", json={"text": "Hi."})):
        assert response.status_code == 503
        message = response.get_json()["error"]["message"]
        assert "could not be loaded" in message
        assert str(registry.root) not in message and str(registry.root.parent) not in message


def test_an_empty_registry_is_a_503_naming_no_path(tmp_path):
    root = tmp_path / "empty"
    client = create_app({"MODEL_DIR": str(root), "RELOAD_INTERVAL": 0}).test_client()
    message = client.get("/readyz").get_json()["error"]["message"]
    assert "framelens train --default" in message
    assert str(root) not in message


# Security headers (D16) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", "/static/framelens.js"),
        ("get", "/openapi.json"),
        ("post", "/v1/annotate"),
        ("get", "/v1/models"),
        ("get", "/no/such/page"),
    ],
)
def test_every_response_carries_the_security_headers(client, method, path):
    with getattr(client, method)(path, json={"text": "Kyiv said so."}) as response:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
