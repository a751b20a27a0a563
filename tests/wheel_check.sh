#!/usr/bin/env bash
# Test what users install, not the checkout: build the wheel, install it with its runtime
# dependencies only into a fresh virtual environment, and use it from a directory outside the
# checkout. Run by .ci/run before `make test`, and by `make wheel-check`.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
base_python=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/framelens-wheel-check.XXXXXX")
server=""

cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { echo "wheel-check: $*"; }
fail() { echo "wheel-check: FAILED: $*" >&2; exit 1; }

# Build from a copy of the working tree's files (tracked and new, not ignored), so a stale
# build/ directory in the checkout cannot slip old modules into the wheel.
step "building the wheel"
mkdir -p "$work/src" "$work/dist" "$work/use"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard \
  | xargs -0 -I{} sh -c 'test -e "{}" && echo "{}"' | tar -cf - -T -) | tar -xf - -C "$work/src"
"$base_python" -m venv "$work/build-env"
"$work/build-env/bin/python" -m pip install --quiet --upgrade pip
"$work/build-env/bin/python" -m pip wheel --quiet --no-deps -w "$work/dist" "$work/src"
wheel=$(ls "$work"/dist/framelens-*.whl)

step "checking what $(basename "$wheel") installs at top level"
"$work/build-env/bin/python" - "$wheel" <<'PY'
import sys, zipfile

names = zipfile.ZipFile(sys.argv[1]).namelist()
top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
allowed = {"framelens", "classifier", "training", "labels", "service.py"}
if top != allowed:
    sys.exit(f"top-level entries {sorted(top)}, expected {sorted(allowed)}")
for needed in ("framelens/static/index.html", "framelens/static/openapi.json",
               "framelens/static/framelens.js", "framelens/static/framelens.css",
               "labels/sahel.toml", "labels/corpus/sahel/part_a.csv"):
    if needed not in names:
        sys.exit(f"the wheel lacks {needed}")
PY

step "installing it with its runtime dependencies into a fresh environment"
"$base_python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip
"$work/venv/bin/python" -m pip install --quiet "$wheel"
bin="$work/venv/bin"
cd "$work/use"
export FRAMELENS_MODEL_DIR="$work/models"  # never the user's own registry

step "framelens --help"
"$bin/framelens" --help >help.txt || fail "framelens --help"
grep -q "annotate" help.txt || fail "framelens --help does not list annotate"
"$bin/python" -m framelens --version >/dev/null || fail "python -m framelens --version"

step "framelens train --default"
"$bin/framelens" train --default --quiet >train.txt || fail "framelens train --default"
grep -q "promoted" train.txt || fail "training did not promote the default model"

step "framelens annotate"
cat >article.txt <<'TXT'
Mali accuses Kyiv of backing rebels in the north

The transitional authorities said armed terrorist groups attacked an army convoy near Kidal.
Kyiv denied any role and said Russian war criminals had suffered a heavy defeat.
TXT
"$bin/framelens" annotate --format json article.txt >annotation.json || fail "framelens annotate"
"$bin/python" - <<'PY' || fail "framelens annotate gave no sentences"
import json

result = json.load(open("annotation.json"))
assert len(result["sentences"]) == 3, result
PY

step "framelens serve"
port=$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/framelens" serve --port "$port" --workers 1 >serve.log 2>&1 &
server=$!
"$bin/python" - "$port" <<'PY' || { cat serve.log >&2; fail "the served wheel did not answer"; }
import json, sys, time, urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}"
deadline = time.monotonic() + 60
while True:
    try:
        urllib.request.urlopen(base + "/readyz", timeout=5).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("the server never became ready")
        time.sleep(0.3)
for path, kind in (("/", "text/html"), ("/static/framelens.js", "javascript"),
                   ("/openapi.json", "application/json")):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        body = r.read()
        if r.status != 200 or kind not in r.headers["Content-Type"] or not body:
            sys.exit(f"GET {path}: {r.status} {r.headers['Content-Type']}")
        print(f"GET {path}: {r.status}, {len(body)} bytes")
request = urllib.request.Request(
    base + "/v1/annotate",
    data=open("article.txt", "rb").read(),
    headers={"Content-Type": "text/plain; charset=utf-8"},
)
with urllib.request.urlopen(request, timeout=30) as r:
    result = json.load(r)
if r.status != 200 or len(result["sentences"]) != 3 or "summary" not in result:
    sys.exit(f"POST /v1/annotate: {r.status} {result}")
print(f"POST /v1/annotate: {r.status}, {len(result['sentences'])} sentences")
PY
grep -q "GET /openapi.json 200" serve.log || { cat serve.log >&2; fail "no access-log line"; }

# The page in headless Chromium, driven by the checkout's dev environment (Playwright is a dev
# dependency, so it is the client here, never part of the installed wheel).
client_python="$repo/.venv/bin/python"
if [ -x /usr/bin/chromium ] && "$client_python" -c "import playwright" 2>/dev/null; then
  step "the page in headless Chromium"
  "$client_python" - "$port" <<'PY' || fail "the page did not annotate the article"
import sys

from playwright.sync_api import sync_playwright

with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"]
    )
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{sys.argv[1]}/")
    page.wait_for_selector("#model-info:has-text('model ')")
    page.fill("#article", open("article.txt", encoding="utf-8").read())
    page.click("#annotate-button")
    page.wait_for_selector("#results:not([hidden]) #annotated .sentence")
    count = page.locator("#annotated .sentence").count()
    browser.close()
if count != 3:
    sys.exit(f"the page shows {count} sentences, expected 3")
print(f"the page highlights {count} sentences")
PY
elif [ "${CI:-}" = "true" ]; then
  fail "no /usr/bin/chromium or no Playwright in $repo/.venv: under CI the browser step must run"
else
  step "skipping the browser step: no /usr/bin/chromium or no Playwright in $repo/.venv"
  step "(apt-get install chromium; make .venv/.installed-dev)"
fi
step "passed"
