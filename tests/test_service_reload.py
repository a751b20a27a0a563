"""A running service follows the registry: promoted models are picked up without a restart,
atomically, so no request fails or mixes two models while the swap happens."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from classifier import ModelRegistry
from service import create_app, get_holder

TINY_CSV = Path(__file__).parent / "data" / "tiny.csv"


def train_unpromoted(registry: ModelRegistry) -> str:
    from training import train

    result = train([TINY_CSV], scheme="sahel", registry=registry, force=True, n_jobs=1)
    registry.rollback()
    return result.version


def holder_of(app):
    with app.app_context():
        return get_holder()


def test_poller_is_not_started_when_reload_interval_is_zero(client, app):
    client.get("/healthz")
    assert holder_of(app)._poller is None


@pytest.mark.slow
def test_a_promoted_version_is_served_without_a_restart(registry, article):
    newer = train_unpromoted(registry)
    app = create_app({"MODEL_DIR": str(registry.root), "RELOAD_INTERVAL": 0.05})
    client = app.test_client()
    assert client.get("/readyz").get_json()["model"] != newer  # first request starts the poller
    poller = holder_of(app)._poller
    assert poller is not None and poller.daemon
    registry.promote(newer)
    deadline = time.monotonic() + 10
    while client.get("/readyz").get_json()["model"] != newer:
        assert time.monotonic() < deadline, "the poller did not pick up the promoted version"
        time.sleep(0.05)
    response = client.post("/v1/annotate", json={"text": article})
    assert response.get_json()["model"]["version"] == newer


@pytest.mark.slow
def test_no_request_fails_while_models_are_swapped(registry, article):
    first = registry.current()
    second = train_unpromoted(registry)
    app = create_app({"MODEL_DIR": str(registry.root), "RELOAD_INTERVAL": 0})
    holder = holder_of(app)
    failures: list[str] = []
    seen: set[str] = set()
    stop = threading.Event()

    def hammer() -> None:
        client = app.test_client()
        while not stop.is_set():
            response = client.post("/v1/annotate", json={"text": article})
            body = response.get_json()
            if response.status_code != 200 or len(body["sentences"]) != 6:
                failures.append(f"{response.status_code}: {body}")
                continue
            seen.add(body["model"]["version"])

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for i in range(8):  # bounded: 8 swaps between the two versions
            registry.promote(second if i % 2 == 0 else first)
            holder.reload()
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert failures == []
    assert seen == {first, second}
