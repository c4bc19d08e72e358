"""Time from a click in the app to the new P(adopted) on screen, in a real headless Chromium.

The app runs under ``streamlit run``; Playwright drives Debian's Chromium. Each timed edit is a
quick action ("Votes no", then "Votes yes") on an elected member of the Libya 2011 scenario, which
changes P(adopted); the time runs from the click until the headline shows a new value and the
app has finished its rerun. Both methods are measured in the same run, Monte Carlo (20,000 draws)
and Exact. Run: ``.venv/bin/python benchmarks/bench_browser.py [--edits N]``. Needs chromium and
the playwright package (the test extras); prints why and stops if either is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 300.0
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
P_ADOPTED = ".st-key-p_adopted [data-testid='stMetricValue']"
MEMBERS = ("Colombia", "Gabon", "Lebanon", "Nigeria", "Portugal", "South Africa", "Bosnia and Herzegovina")
ACTIONS = ("Votes no", "Votes yes")  # each changes P(adopted) visibly


@contextlib.contextmanager
def server() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
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
                    page.screenshot(path=str(ROOT / "test-artifacts" / "bench-browser-failure.png"), full_page=True)
                    raise
                elapsed = 1000 * (time.perf_counter() - t)
                _idle(page)
                if k >= 1:  # the first member's edits warm the caches and imports
                    out.append(elapsed)
            k += 1
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=12, help="timed edits per method (default 12)")
    args, _ = parser.parse_known_args()
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("bench_browser: the playwright package is not installed; skipped")
        return
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        print("bench_browser: no chromium on PATH; skipped")
        return
    with server() as url:
        results = {method: measure(url, method, args.edits) for method in ("monte-carlo", "exact")}
    print("Click to new P(adopted) on screen, headless Chromium, Libya 2011 scenario:")
    for method, ms in results.items():
        q = statistics.quantiles(ms, n=10)
        print(f"  {method:<12} median {statistics.median(ms):6.0f} ms   p90 {q[-1]:6.0f} ms   (n={len(ms)})")
    ratio = statistics.median(results["exact"]) / statistics.median(results["monte-carlo"])
    verdict = "within" if statistics.median(results["exact"]) <= BUDGET_MS else "OVER"
    print(f"  exact / Monte Carlo median ratio {ratio:.2f}; exact {verdict} the {BUDGET_MS:.0f} ms budget")


if __name__ == "__main__":
    main()
