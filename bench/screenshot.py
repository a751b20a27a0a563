"""Take docs/screenshot.png: the annotation page with an article annotated and a tooltip open.

    .venv/bin/python bench/screenshot.py [--models var/models] [--article FILE] [--width 1280]

Serves the app on a free port of 127.0.0.1 with the registry's current model, drives Debian's
headless Chromium with Playwright, pastes the article, annotates it and hovers one sentence.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from service import create_app

ROOT = Path(__file__).resolve().parent.parent
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=str(ROOT / "var" / "models"))
    parser.add_argument("--article", default=str(Path(__file__).parent / "sample_article.txt"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1400)
    parser.add_argument("--hover", type=int, default=3, help="Index of the sentence to hover.")
    args = parser.parse_args()

    app = create_app({"MODEL_DIR": args.models, "RELOAD_INTERVAL": 0})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    text = Path(args.article).read_text(encoding="utf-8")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(url)
            page.fill("#article", text)
            page.click("#annotate-button")
            page.wait_for_selector(".sentence")
            page.hover(f'.sentence[data-index="{args.hover}"]')
            page.wait_for_selector("#tooltip:not([hidden])")
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.out, full_page=True)
            browser.close()
    finally:
        server.shutdown()
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
