"""Time from a click in the app to the new P(adopted) on screen, in a real headless Chromium;
and time from opening the page to the first P(adopted) on a warm server.

The app runs under ``streamlit run``; Playwright drives Debian's Chromium. Each timed edit is a
quick action ("Votes no", then "Votes yes") on an elected member of the Libya 2011 scenario, which
changes P(adopted); the time runs from the click until the headline shows a new value and the
app has finished its rerun. Both methods are measured in the same run, Monte Carlo (20,000 draws)
and Exact.

The first number: after one page has warmed the server (imports, the scenario library), each
timed load opens a new page (a new session) on a what-if the server has not computed yet (a
year's Council, ``?year=Y``, a new year each time, so no cached result helps); the time runs
from the start of navigation until P(adopted) is in the page, with the first chart beside it.
In turn with each load, a bare Streamlit page (a title and one metric) is timed the same way:
it is the floor on this machine, as nothing the app does can load Streamlit's page faster, and
it makes figures taken on a busy machine comparable (as a ratio).

Run: ``.venv/bin/python benchmarks/bench_browser.py [--edits N] [--loads N]``. Needs chromium
and the playwright package (the test extras); prints why and stops if either is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 300.0
#: The first P(adopted) on a warm server (issue 11).
FIRST_BUDGET_MS = 1500.0
ARTIFACTS = Path(os.environ.get("UNSC_SIM_ARTIFACTS") or ROOT / "tests" / "artifacts")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
P_ADOPTED = ".st-key-p_adopted [data-testid='stMetricValue']"
MEMBERS = ("Colombia", "Gabon", "Lebanon", "Nigeria", "Portugal", "South Africa", "Bosnia and Herzegovina")
ACTIONS = ("Votes no", "Votes yes")  # each changes P(adopted) visibly


#: The floor: a bare Streamlit page with a title and one metric where the app has P(adopted).
#: What no change to the app can beat on this machine (loading Streamlit's page and code).
BARE_APP = """import streamlit as st
st.set_page_config(layout="wide")
st.title("Security Council what-if")
with st.container(key="p_adopted"):
    st.metric("Chance of adoption", "54.9%")
"""
#: Marks, from the start of navigation, when P(adopted) and the first chart are in the page.
MARKS_JS = """
window.__marks = {};
new MutationObserver(() => {
  const m = window.__marks, now = performance.now();
  if (!m.p && document.querySelector(".st-key-p_adopted [data-testid='stMetricValue']")) m.p = now;
  if (!m.chart && document.querySelector("[data-testid='stVegaLiteChart'] canvas, "
                                         + "[data-testid='stVegaLiteChart'] svg")) m.chart = now;
}).observe(document, {subtree: true, childList: true});
"""


@contextlib.contextmanager
def server(app: Path = ROOT / "app.py") -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("streamlit did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _pick(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_label(label, exact=True)
    box.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option).first.click()


def _idle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app's rerun has finished (the running indicator is gone)."""
    page.wait_for_function(
        "() => document.querySelector('.stApp')?.getAttribute('data-test-script-state') !== 'running'",
        timeout=60_000,
    )


def measure(url: str, method: str, edits: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    out: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(60_000)
        page.goto(f"{url}/?scenario=libya_2011_abstentions&method={method}")
        page.locator(P_ADOPTED).wait_for()
        _idle(page)
        k = 0
        while len(out) < edits:
            _pick(page, "Member", MEMBERS[k % len(MEMBERS)])
            _idle(page)
            for action in ACTIONS:
                before = page.locator(P_ADOPTED).inner_text()
                button = page.get_by_role("button", name=action, exact=True)
                t = time.perf_counter()
                button.click()
                try:
                    page.wait_for_function(
                        "([sel, old]) => document.querySelector(sel)?.innerText !== old",
                        arg=[P_ADOPTED, before], timeout=60_000,
                    )
                except Exception:
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / "bench-browser-failure.png"), full_page=True)
                    raise
                elapsed = 1000 * (time.perf_counter() - t)
                _idle(page)
                if k >= 1:  # the first member's edits warm the caches and imports
                    out.append(elapsed)
            k += 1
        browser.close()
    return out


def first_number(url: str, bare_url: str, loads: int) -> dict[str, list[float]]:
    """Milliseconds from the start of navigation to the first P(adopted) and to the first chart
    on the app, and to the metric on the bare page, loads taken in turn so both see one load."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    out: dict[str, list[float]] = {"first": [], "chart": [], "bare": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        for k in range(loads + 1):
            for page_url, is_app in ((f"{url}/?year={1995 + k}", True), (bare_url, False)):
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                context.add_init_script(MARKS_JS)
                page = context.new_page()
                page.set_default_timeout(60_000)
                page.goto(page_url)
                page.locator(P_ADOPTED).wait_for()
                if is_app:
                    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
                    _idle(page)
                marks = page.evaluate("() => window.__marks")
                if k >= 1:  # the first loads warm the servers (imports, the library, the first run)
                    if is_app:
                        out["first"].append(marks["p"])
                        out["chart"].append(marks["chart"])
                    else:
                        out["bare"].append(marks["p"])
                context.close()
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=12, help="timed edits per method (default 12)")
    parser.add_argument("--loads", type=int, default=8, help="timed first loads (default 8)")
    args, _ = parser.parse_known_args()
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("bench_browser: the playwright package is not installed; skipped")
        return
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        print("bench_browser: no chromium on PATH; skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_app.py"
        bare.write_text(BARE_APP)
        with server() as url, server(bare) as bare_url:
            first = first_number(url, bare_url, args.loads)
            results = {method: measure(url, method, args.edits) for method in ("monte-carlo", "exact")}
    med = {k: statistics.median(v) for k, v in first.items()}
    verdict = "within" if med["first"] <= FIRST_BUDGET_MS else "OVER"
    print("Start of navigation to the first P(adopted), warm server, a new year's Council each time:")
    print(f"  first number  median {med['first']:6.0f} ms   max {max(first['first']):6.0f} ms   "
          f"(n={len(first['first'])}); {verdict} the {FIRST_BUDGET_MS:.0f} ms budget")
    print(f"  first chart   median {med['chart']:6.0f} ms")
    print(f"  bare page     median {med['bare']:6.0f} ms   (a title and one metric: the floor here)")
    print(f"  first number / bare page {med['first'] / med['bare']:.2f}; "
          f"{med['first'] - med['bare']:.0f} ms more than the floor")
    print("Click to new P(adopted) on screen, headless Chromium, Libya 2011 scenario:")
    for method, ms in results.items():
        q = statistics.quantiles(ms, n=10)
        print(f"  {method:<12} median {statistics.median(ms):6.0f} ms   p90 {q[-1]:6.0f} ms   (n={len(ms)})")
    ratio = statistics.median(results["exact"]) / statistics.median(results["monte-carlo"])
    verdict = "within" if statistics.median(results["exact"]) <= BUDGET_MS else "OVER"
    print(f"  exact / Monte Carlo median ratio {ratio:.2f}; exact {verdict} the {BUDGET_MS:.0f} ms budget")


if __name__ == "__main__":
    main()
