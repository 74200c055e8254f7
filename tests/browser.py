"""Driving the dashboard in Debian's headless Chromium with Playwright (no browser download)."""

from __future__ import annotations

import re
import shutil
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
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
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
            page.wait_for_selector("#alert-list li", timeout=120_000)
            alert_text = page.locator("#alert-list li").first.inner_text()
            signals = page.locator("#signal-list li").count()
            page.screenshot(path=str(screenshot), full_page=True)
            return {"articles": articles, "alert": alert_text, "signals": signals, "errors": errors}
        finally:
            browser.close()
