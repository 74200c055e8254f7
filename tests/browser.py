"""Driving the dashboard in Debian's headless Chromium with Playwright (no browser download)."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make browser installs it as root)")


def watch_dashboard(
    url: str, api_key: str, make_alert: Callable[[], None], screenshot: Path
) -> dict:
    """Open the dashboard, follow the key's alerts, trigger one, wait for it to show."""
    from playwright.sync_api import Request, expect, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            started = time.monotonic()
            stream_requests: list[str] = []

            def note_stream_request(request: Request, outcome: str) -> None:
                if "/api/alerts/stream" in request.url:
                    stream_requests.append(f"{time.monotonic() - started:.1f}s {outcome}")

            page.on("request", lambda r: note_stream_request(r, "opened"))
            page.on("requestfailed", lambda r: note_stream_request(r, f"failed {r.failure}"))
            page.on("requestfinished", lambda r: note_stream_request(r, "ended"))
            page.goto(url, wait_until="domcontentloaded")
            page.wait_for_selector("#articles tr", timeout=90_000)
            articles = page.locator("#articles tr").count()
            page.fill("#api-key", api_key)
            page.click("#key-form button")
            # A locator assertion, not wait_for_function: the latter compiles its predicate in
            # the page, which the dashboard's Content-Security-Policy (no 'unsafe-eval')
            # refuses whenever the first check is false and Playwright starts polling.
            expect(page.locator("#alert-status")).to_have_text(
                re.compile(r"^Following"), timeout=60_000
            )
            make_alert()
            try:
                page.wait_for_selector("#alert-list li", timeout=120_000)
            except PlaywrightTimeoutError as exc:
                status = page.locator("#alert-status").inner_text()
                raise AssertionError(
                    f"no alert shown in 120 s; alert status {status!r}; "
                    f"alert stream requests: {stream_requests}; page errors: {errors}"
                ) from exc
            alert_text = page.locator("#alert-list li").first.inner_text()
            signals = page.locator("#signal-list li").count()
            page.screenshot(path=str(screenshot), full_page=True)
            return {"articles": articles, "alert": alert_text, "signals": signals, "errors": errors}
        finally:
            browser.close()
