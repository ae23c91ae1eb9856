"""The PDF beside the HTML: the same page printed by headless Chromium (A4, from the page's
``@page`` rule), so the two never differ. Without Chromium, no PDF and a clear message."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["chromium", "print_pdf"]


def chromium() -> str | None:
    """The Chromium executable, if installed."""
    return (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )


def print_pdf(page: Path, pdf: Path, timeout: float = 120) -> str:
    """Print ``page`` to ``pdf``; returns "" on success, else why there is no PDF."""
    browser = chromium()
    if browser is None:
        return "no PDF: Chromium is not installed (apt-get install chromium)"
    with tempfile.TemporaryDirectory() as profile:
        try:
            result = subprocess.run(
                [
                    browser,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    f"--user-data-dir={profile}",
                    "--no-pdf-header-footer",
                    "--virtual-time-budget=10000",
                    f"--print-to-pdf={pdf}",
                    page.resolve().as_uri(),
                ],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"no PDF: Chromium failed ({exc})"
    if not pdf.exists() or pdf.stat().st_size == 0:
        return f"no PDF: Chromium printed nothing ({result.stderr.strip()[-300:]})"
    return ""
