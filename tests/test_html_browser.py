"""The HTML reports as a person sees them: rendered by real headless Chromium (Debian's `chromium`).

Screenshot, DOM after rendering (`--dump-dom`) and print to PDF. Skips, with the reason shown by
`-ra`, where no Chromium is installed (`apt-get install chromium`; .ci/run tries to).
Set TRUSTSCAN_KEEP_SCREENSHOTS=DIR to keep the PNG/PDF files for a look.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium): HTML not rendered in a browser")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}", *args,
    ]
    return subprocess.run(command, capture_output=True, timeout=120)


def render_all(tmp_path: Path, html: Path, name: str) -> tuple[str, Path, Path]:
    url = html.resolve().as_uri()
    shot = tmp_path / f"{name}.png"
    pdf = tmp_path / f"{name}.pdf"
    dom = chromium(tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    result = chromium(tmp_path, "--window-size=1280,1800", f"--screenshot={shot}", url)
    assert result.returncode == 0 and shot.exists(), result.stderr.decode(errors="replace")[-2000:]
    result = chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", url)
    assert result.returncode == 0 and pdf.exists(), result.stderr.decode(errors="replace")[-2000:]
    keep = os.environ.get("TRUSTSCAN_KEEP_SCREENSHOTS")
    if keep:
        os.makedirs(keep, exist_ok=True)
        shutil.copy(shot, keep)
        shutil.copy(pdf, keep)
    return dom.stdout.decode(), shot, pdf


def _check_png_and_pdf(shot: Path, pdf: Path) -> None:
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 1800)
    assert len(png) > 30_000  # a rendered page, not a blank one
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) >= 2


def test_bundle_html_renders_in_chromium(aws, tmp_path):
    from scanner.demo.aws import DEMO_REGIONS, seed_demo_account
    from scanner.evidence.bundle import build_bundle, write_bundle
    from scanner.registry import load_checks

    seed_demo_account(aws.session(), aws.endpoint_url)
    inventory, report = aws.collect([c for c in load_checks() if c.startswith("aws.")], regions=DEMO_REGIONS)
    out = tmp_path / "bundle"
    write_bundle(build_bundle(report, inventory), str(out))
    dom, shot, pdf = render_all(tmp_path, out / "report.html", "bundle-report")
    for section in ("scope", "summary", "criteria", "manual-criteria", "failures", "waivers", "collection-errors", "checks"):
        assert f'id="{section}"' in dom, section
    assert "Scope and method" in dom and "Identity that ran the scan" in dom and report.metadata.identity.account in dom
    assert "Deciding setting:" in dom and "Manual evidence still required" in dom and "Criteria that need manual evidence only" in dom
    failing = [f for f in report.findings if f.status.value == "FAIL"]
    assert failing and all(f.finding_id in dom for f in failing)
    assert "<script" not in dom  # self-contained and static
    _check_png_and_pdf(shot, pdf)


def test_period_html_renders_in_chromium(tmp_path):
    from datetime import date

    from scanner.period.analysis import PeriodOptions, analyse
    from scanner.period.render import render_html
    from tests.test_period import MFA, VERSIONING, make_finding, write

    history = tmp_path / "history"
    history.mkdir()
    for n in [*range(1, 31), *range(51, 61)]:
        write(history, n, [make_finding(VERSIONING, "data", "FAIL" if 10 <= n <= 14 else "PASS"), make_finding(MFA, "root", "PASS")])
    page = tmp_path / "period.html"
    page.write_text(render_html(analyse([str(history)], PeriodOptions(start=date(2026, 1, 1), end=date(2026, 3, 1)))))
    dom, shot, pdf = render_all(tmp_path, page, "period-report")
    for section in ("period", "coverage", "criteria", "checks", "open", "failures", "waivers", "changes"):
        assert f'id="{section}"' in dom, section
    assert "2026-01-31 to 2026-02-19 (20 days)" in dom and "2026-01-15T06:00:00Z" in dom
    _check_png_and_pdf(shot, pdf)
