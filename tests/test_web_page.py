"""The annotation page in a real browser: Debian's headless Chromium driven by Playwright,
against the real service on 127.0.0.1 with the tiny model."""

from __future__ import annotations

import math
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from classifier import annotate
from conftest import is_ci

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MAX_SENTENCES = 40


def _need_browser() -> None:
    problem = None
    if not Path(CHROMIUM).exists():
        problem = f"no Chromium at {CHROMIUM}: install it with 'apt-get install chromium'"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "Playwright is missing: pip install -e '.[dev]'"
    if problem and is_ci():
        pytest.fail(f"browser tests cannot run in CI: {problem}")
    if problem:
        pytest.skip(problem)


@pytest.fixture(scope="module")
def server_url(tiny_registry_template: Path, tmp_path_factory) -> Iterator[str]:
    from werkzeug.serving import make_server

    from service import create_app

    _need_browser()
    root = tmp_path_factory.mktemp("web") / "models"
    shutil.copytree(tiny_registry_template, root)
    app = create_app({"MODEL_DIR": str(root), "RELOAD_INTERVAL": 0, "MAX_SENTENCES": MAX_SENTENCES})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def browser(server_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, server_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server_url)
    page.wait_for_selector("#model-info:has-text('model ')")
    yield page
    context.close()


@pytest.fixture
def expected(tiny_model, article) -> dict:
    return annotate(tiny_model, article, max_sentences=MAX_SENTENCES)


def annotate_in_page(page, text: str) -> None:
    page.fill("#article", text)
    page.click("#annotate-button")
    page.wait_for_selector("#results:not([hidden]) #annotated .sentence")


def rgb(hex_color: str, alpha: float | None = None) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})" if alpha is None else f"rgba({r}, {g}, {b}, {alpha})"


def test_page_shows_the_model_version(page, tiny_model):
    assert tiny_model.version in page.text_content("#model-info")


def test_each_sentence_is_tinted_in_its_labels_colour(page, article, expected, tiny_model):
    annotate_in_page(page, article)
    sentences = page.locator("#annotated .sentence")
    assert sentences.count() == len(expected["sentences"])
    for i, want in enumerate(expected["sentences"]):
        node = sentences.nth(i)
        assert node.get_attribute("data-label") == want["label"]
        assert node.inner_text().rstrip("?") == want["text"]
        color = tiny_model.scheme.label(want["label"]).color
        background = node.evaluate("n => getComputedStyle(n).backgroundColor")
        assert background == rgb(color, 0.1 if want["uncertain"] else 0.2)


def test_uncertain_sentences_are_dashed_and_marked_with_a_question_mark(page, article, expected):
    annotate_in_page(page, article)
    uncertain = [s["index"] for s in expected["sentences"] if s["uncertain"]]
    assert uncertain, "the fixture article should hold an uncertain sentence"
    for s in expected["sentences"]:
        node = page.locator(f'#annotated .sentence[data-index="{s["index"]}"]')
        outline = node.evaluate("n => getComputedStyle(n).outlineStyle")
        marker = node.locator(".q")
        if s["uncertain"]:
            assert (outline, marker.inner_text()) == ("dashed", "?")
        else:
            assert (outline, marker.count()) == ("none", 0)


def test_legend_lists_every_label_with_colour_and_description(page, tiny_model):
    items = page.locator("#legend li")
    assert items.count() == len(tiny_model.scheme.labels)
    for i, label in enumerate(tiny_model.scheme.labels):
        item = items.nth(i)
        assert item.locator(".legend-name").inner_text() == label.name
        assert item.locator(".legend-description").inner_text() == label.description
        swatch = item.locator(".swatch").evaluate("n => getComputedStyle(n).backgroundColor")
        assert swatch == rgb(label.color)


def test_framing_mix_bar_has_a_segment_per_label_sized_by_share(
    page, article, expected, tiny_model
):
    annotate_in_page(page, article)
    shares = {k: v for k, v in expected["summary"]["shares"].items() if v > 0}
    segments = page.locator("#mix .segment")
    assert segments.count() == len(shares)
    bar_width = page.locator("#mix").evaluate("n => n.getBoundingClientRect().width")
    for i in range(segments.count()):
        segment = segments.nth(i)
        label = segment.get_attribute("data-label")
        width = segment.evaluate("n => n.getBoundingClientRect().width")
        assert width == pytest.approx(shares[label] * bar_width, abs=2)
        colour = segment.evaluate("n => getComputedStyle(n).backgroundColor")
        assert colour == rgb(tiny_model.scheme.label(label).color)


def assert_tooltip_explains(page, sentence: dict, tiny_model) -> None:
    """The visible tooltip names the label, its confidence, each label's probability, evidence."""
    page.wait_for_selector("#tooltip:not([hidden])")
    tip = page.locator("#tooltip")
    assert tip.locator(".tip-label").inner_text() == tiny_model.scheme.label(sentence["label"]).name
    assert tip.locator(".tip-confidence").inner_text().strip() == pct(sentence["confidence"])
    assert tip.locator(".tip-uncertain").count() == int(sentence["uncertain"])
    rows = {
        row.get_attribute("data-label"): (
            row.locator("th").inner_text(),
            row.locator(".num").inner_text(),
        )
        for row in tip.locator("tr").all()
    }
    assert rows == {
        label_id: (tiny_model.scheme.label(label_id).name, pct(p))
        for label_id, p in sentence["probabilities"].items()
    }
    evidence = tip.locator(".tip-evidence").inner_text()
    for term in sentence["evidence"]:
        assert term["term"] in evidence
    source = sentence["source"]
    assert tip.locator(".tip-source").count() == int(source is not None)
    if source is not None:
        assert source["text"] in tip.locator(".tip-source").inner_text()


def pct(x: float) -> str:
    return f"{math.floor(x * 100 + 0.5)}%"  # JavaScript's Math.round, not Python's round-half-even


def test_hovering_a_sentence_shows_label_probabilities_and_evidence(
    page, article, expected, tiny_model
):
    annotate_in_page(page, article)
    sentence = expected["sentences"][2]
    page.hover('#annotated .sentence[data-index="2"]')
    assert_tooltip_explains(page, sentence, tiny_model)


def test_keyboard_focus_on_a_sentence_shows_its_tooltip(page, article, expected, tiny_model):
    annotate_in_page(page, article)
    page.focus("#file-input")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.dataset.index")
    assert focused == "0"
    assert_tooltip_explains(page, expected["sentences"][0], tiny_model)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.index") == "1"
    assert_tooltip_explains(page, expected["sentences"][1], tiny_model)
    page.keyboard.press("Escape")
    assert page.is_hidden("#tooltip")


def test_evidence_terms_are_underlined_inside_their_sentence(page, article, expected):
    annotate_in_page(page, article)
    sentence = expected["sentences"][1]  # "The junta said armed terrorist groups attacked ..."
    marked = page.locator('#annotated .sentence[data-index="1"] .evidence').all_inner_texts()
    terms = {t["term"] for t in sentence["evidence"] if t["kind"] == "word"}
    assert terms and marked
    assert all(any(t in m.lower() for t in terms) for m in marked)
    # Every word term is underlined where it stands in the sentence.
    joined = " ".join(m.lower() for m in marked)
    assert all(t in joined for t in terms if t in sentence["text"].lower())


def test_the_source_is_marked_in_its_sentence_and_named_in_the_tooltip(page, expected):
    text = (
        "Russian foreign ministry spokeswoman Maria Zakharova said Kyiv backs terrorists. "
        '"They will answer for it," she added.'
    )
    annotate_in_page(page, text)
    first = page.locator('#annotated .sentence[data-index="0"] .source')
    assert first.inner_text() == "Russian foreign ministry spokeswoman Maria Zakharova"
    page.hover('#annotated .sentence[data-index="1"]')
    page.wait_for_selector("#tooltip:not([hidden])")
    who = page.locator("#tooltip .tip-source").inner_text()
    assert who == "Who speaks: she (Russia / Wagner), named earlier"
    assert "Whose words are reported: Russia / Wagner in 2" in page.text_content("#mix-caption")


def test_text_the_model_cannot_judge_says_why_in_the_tooltip(page):
    annotate_in_page(page, "Le gouvernement de transition a dénoncé une attaque contre les forces.")
    page.hover('#annotated .sentence[data-index="0"]')
    page.wait_for_selector("#tooltip:not([hidden])")
    assert page.locator("#tooltip .tip-uncertain").inner_text() == "uncertain: another language"


def test_api_errors_are_shown_in_the_page(page):
    too_long = " ".join(f"Sentence number {i} is here." for i in range(MAX_SENTENCES + 5))
    page.fill("#article", too_long)
    page.click("#annotate-button")
    page.wait_for_selector("#error:not([hidden])")
    message = page.inner_text("#error")
    assert "422" in message and f"limit of {MAX_SENTENCES}" in message


def test_a_txt_file_can_be_opened_into_the_text_box(page, tmp_path, article):
    from playwright.sync_api import expect

    path = tmp_path / "article.txt"
    path.write_text(article, encoding="utf-8")
    page.set_input_files("#file-input", str(path))
    # Playwright's own wait, not wait_for_function: the page's CSP forbids evaluating strings.
    expect(page.locator("#article")).to_have_value(article)


def test_page_fits_a_phone_screen(browser, server_url, article):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        page.goto(server_url)
        page.wait_for_selector("#model-info:has-text('model ')")
        annotate_in_page(page, article)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        page.hover('#annotated .sentence[data-index="1"]')
        box = page.locator("#tooltip").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    finally:
        context.close()


def test_emoji_and_astral_characters_are_shown_as_written(page, tiny_model):
    # API offsets count code points; each of these characters is two UTF-16 units in JS.
    text = "😀 Kyiv said so. 𝕏 The army denied it. Bamako agreed."
    expected = annotate(tiny_model, text, max_sentences=MAX_SENTENCES)
    annotate_in_page(page, text)
    shown = page.locator("#annotated .sentence").all_inner_texts()
    assert [s.rstrip("?") for s in shown] == [s["text"] for s in expected["sentences"]]
    assert page.inner_text("#annotated").replace("?", "") == text.replace("?", "")


def test_the_page_runs_under_its_content_security_policy(browser, server_url, article):
    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    try:
        response = page.goto(server_url)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.evaluate(
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__violations = (window.__violations || []).concat(e.violatedDirective))"
        )
        page.wait_for_selector("#model-info:has-text('model ')")
        annotate_in_page(page, article)
        page.hover('#annotated .sentence[data-index="1"]')
        page.wait_for_selector("#tooltip:not([hidden])")
        assert page.evaluate("window.__violations || []") == []
        assert violations == []
    finally:
        context.close()
