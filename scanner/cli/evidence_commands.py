"""Audit evidence commands: `evidence`, `verify`, `period`, `mappings coverage`, and `scan --evidence-dir`.

Kept apart from main.py; registered there with `register(cli, mappings)`. Like the rest of the CLI,
nothing heavy is imported until a command runs. Commands signal their exit status with SystemExit
(main() passes it through) and usage problems with ConfigurationError (one line, exit 2).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from scanner.errors import ConfigurationError

VERIFY_EXIT_HELP = """\b
Exit status:
  0  the bundle verified
  1  verification failed (each problem names its file)
  2  usage error (no such bundle, unreadable key)
"""


@dataclass
class EvidenceRequest:
    out_dir: str
    key_path: str | None = None
    make_zip: bool = False


def _check_dir(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        from scanner.evidence.bundle import check_output_dir

        try:
            check_output_dir(value)
        except ConfigurationError as exc:
            raise click.BadParameter(str(exc)) from exc
    return value


def evidence_options(func: Callable) -> Callable:
    """--evidence-dir/--evidence-key/--evidence-zip, passed to the command as one `evidence` argument."""

    @functools.wraps(func)
    def wrapper(*args: Any, evidence_dir: str | None = None, evidence_key: str | None = None, evidence_zip: bool = False, **kwargs: Any) -> Any:
        if (evidence_key or evidence_zip) and not evidence_dir:
            raise ConfigurationError("--evidence-key and --evidence-zip need --evidence-dir")
        kwargs["evidence"] = EvidenceRequest(evidence_dir, evidence_key, evidence_zip) if evidence_dir else None
        return func(*args, **kwargs)

    options = [
        click.option("--evidence-dir", metavar="DIR", callback=_check_dir,
                     help="Also write an audit evidence bundle (report, snapshot, summaries, HTML, manifest) to DIR."),
        click.option("--evidence-key", metavar="KEY.pem", type=click.Path(dir_okay=False, exists=True),
                     help="Sign the bundle's manifest with this Ed25519 private key."),
        click.option("--evidence-zip", is_flag=True, help="Also write DIR.zip."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def write_evidence(inventory: Any, report: Any, request: EvidenceRequest | None) -> None:
    """Build, self-verify and write a bundle for a scan that just ran (no-op without --evidence-dir)."""
    if request is None:
        return
    _write(report, inventory, request.out_dir, request.key_path, request.make_zip)


def _write(report: Any, inventory: Any, out_dir: str, key_path: str | None, make_zip: bool) -> None:
    from scanner.evidence.bundle import build_bundle, write_bundle

    key = None
    if key_path:
        from scanner.evidence.signing import fingerprint, load_private_key

        key = load_private_key(key_path)
    bundle = build_bundle(report, inventory, signing_key=key)
    try:
        written = write_bundle(bundle, out_dir, make_zip=make_zip)
    except OSError as exc:
        from scanner.cli.outputs import fail

        fail(f"could not write the evidence bundle to {out_dir}: {exc.strerror or exc}")
        return
    signed = f", signed by {fingerprint(key.public_key())}" if key is not None else ""
    click.echo(f"wrote evidence bundle {out_dir} ({len(bundle.files)} files{signed})", err=True)
    if make_zip:
        click.echo(f"wrote {written[-1]}", err=True)


def _load_report(path: str) -> Any:
    from pydantic import ValidationError

    from scanner.models.report import REPORT_SCHEMA_VERSION, Report

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError as exc:
        raise ConfigurationError(f"report file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read report {path}: {exc}") from exc
    try:
        report = Report.model_validate_json(text)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error.get("loc", ())) or "document"
        raise ConfigurationError(f"{path} is not a valid trustscan report ({where}: {error.get('msg')})") from exc
    if report.schema_version.split(".")[0] != REPORT_SCHEMA_VERSION.split(".")[0]:
        raise ConfigurationError(f"{path} has report schema_version {report.schema_version!r}; bundles are made from {REPORT_SCHEMA_VERSION!r}")
    return report


@click.command("evidence")
@click.argument("report_path", metavar="REPORT.json", type=click.Path(dir_okay=False))
@click.argument("snapshot_path", metavar="SNAPSHOT.json", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", required=True, metavar="DIR", callback=_check_dir, help="Bundle folder to create (new or empty).")
@click.option("--sign", "key_path", metavar="KEY.pem", type=click.Path(dir_okay=False, exists=True),
              help="Sign the manifest with this Ed25519 private key (PEM or OpenSSH).")
@click.option("--zip", "make_zip", is_flag=True, help="Also write DIR.zip.")
def evidence(report_path: str, snapshot_path: str, out_dir: str, key_path: str | None, make_zip: bool) -> None:
    """Bundle a report and the snapshot it came from as verifiable audit evidence.

    The bundle holds the report, the snapshot (secrets redacted), per-criterion CSV and Markdown, a
    self-contained HTML report and manifest.json (scope, identity, times, check and mapping digests,
    SHA-256 of every file). It is written only if the report re-derives from the snapshot.
    Make a signing key with: openssl genpkey -algorithm ed25519 -out key.pem
    """
    from scanner.engine.scan import load_snapshot

    report = _load_report(report_path)
    inventory = load_snapshot(snapshot_path)
    _write(report, inventory, out_dir, key_path, make_zip)


@click.command("verify", epilog=VERIFY_EXIT_HELP)
@click.argument("bundle_path", metavar="BUNDLE", type=click.Path())
@click.option("--public-key", "public_key_path", metavar="KEY", type=click.Path(dir_okay=False, exists=True),
              help="Require a signature by this Ed25519 key (PEM public key, OpenSSH line, or the private key).")
@click.option("--require-signature", is_flag=True, help="Fail when the bundle is not signed.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify(bundle_path: str, public_key_path: str | None, require_signature: bool, fmt: str) -> None:
    """Verify an evidence bundle (folder or .zip): digests, signature, and re-evaluation of the snapshot.

    The snapshot is re-evaluated with the checks the manifest lists and the parameters the report
    records; the findings must equal the report's byte for byte (waived findings compare on their
    original status). The CSV, Markdown and HTML files are re-rendered and compared too.
    """
    from scanner.evidence.verify import verify_bundle

    pinned = None
    if public_key_path:
        from scanner.evidence.signing import load_public_key

        pinned = load_public_key(public_key_path)
    result = verify_bundle(bundle_path, public_key=pinned, require_signature=require_signature)
    if fmt == "json":
        import json

        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        for line in result.passed:
            click.echo(f"ok    {line}")
        for problem in result.problems:
            click.echo(f"FAIL  {problem}")
        if result.ok:
            signer = f", signed by {result.signer}" if result.signer else ", not signed"
            click.echo(f"verified: {bundle_path}{signer}")
        else:
            click.echo(f"NOT verified: {bundle_path}: {len(result.problems)} problem(s)")
    sys.exit(0 if result.ok else 1)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


@click.command("period")
@click.argument("reports", nargs=-1, required=True, metavar="REPORTS...")
@click.option("--from", "start", metavar="DATE", callback=_date, help="First day of the period (UTC, default: the earliest scan).")
@click.option("--to", "end", metavar="DATE", callback=_date, help="Last day of the period, inclusive (default: the latest scan).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html", "json", "csv"]), default="markdown", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to PATH instead of stdout.")
@click.option("--max-gap-days", type=click.IntRange(0), default=1, show_default=True,
              help="Report runs of more than this many days without a scan.")
@click.option("--skip-bad", is_flag=True, help="Skip corrupt, truncated or foreign report files with a warning instead of failing.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes parsing report files ahead of the in-order analysis (on 2 cores, 2 measured slower than 1: "
                   "handing parsed findings between processes costs more than parsing them).")
def period(reports: tuple[str, ...], start: Any, end: Any, fmt: str, output: str | None, max_gap_days: int, skip_bad: bool, jobs: int) -> None:
    """Operating effectiveness over a period (SOC 2 Type 2) from many reports.

    REPORTS are report files, folders (every *.json below) or glob patterns, e.g. CI artifacts. Per
    criterion and check: scans, days covered and gaps, pass rates, failure windows with time to
    remediate, failures open at the end, waivers in force, checks added or removed. Resources are
    matched across scans by finding id. Files are streamed: memory follows the estate, not the history.
    """
    from scanner.period.analysis import PeriodOptions, analyse
    from scanner.period.render import render

    if output:
        from scanner.cli.outputs import check_writable

        check_writable("period", output)

    def warn(message: str) -> None:
        click.echo(f"trustscan: warning: {message}", err=True)

    result = analyse(reports, PeriodOptions(start=start, end=end, max_gap_days=max_gap_days, skip_bad=skip_bad, jobs=jobs), warn)
    if fmt == "json":  # the largest output: encoded in pieces straight to its destination, never one big string
        import json

        def dump(handle: Any) -> None:
            json.dump(result, handle, indent=2, ensure_ascii=False)
            handle.write("\n")

        if output:
            with open(output, "w", encoding="utf-8") as handle:
                dump(handle)
        else:
            dump(sys.stdout)
    else:
        text = render(result, fmt)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            click.echo(text, nl=False)
    if output:
        click.echo(f"wrote {output}", err=True)


@click.command("coverage")
@click.argument("framework", default="soc2")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
def mappings_coverage(framework: str, fmt: str) -> None:
    """Which criteria have automated checks per provider, which are partly automated, which are manual only (with the evidence)."""
    from scanner.evidence.coverage import coverage_statement, render_coverage

    click.echo(render_coverage(coverage_statement(framework), fmt), nl=False)


def register(cli: click.Group, mappings: click.Group) -> None:
    for command in (evidence, verify, period):
        cli.add_command(command)
    mappings.add_command(mappings_coverage)
