"""CI commands: `diff`, `config validate|schema` and `github-report` (what the GitHub Action runs)."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

FAIL_ON = ["any", "critical", "high", "medium", "low", "info", "never"]


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
def diff_command(old: str, new: str, fmt: str) -> None:
    """Compare two JSON reports by finding id: new, unchanged and resolved findings.

    Exits 1 when the new report has FAIL findings that are new (not waived), else 0.
    """
    from scanner.baseline import diff, load_report

    result = diff(load_report(old), load_report(new), old)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(_render_diff(result, markdown=fmt == "markdown"), nl=False)
    # SystemExit passes through click's non-standalone main (a click Exit would be turned into status 0)
    sys.exit(1 if any(f["status"] == "FAIL" for f in result["new_failures"]) else 0)


def _render_diff(result: dict, markdown: bool) -> str:
    from scanner.formatters.markdown import cell, code

    counts = result["counts"]
    head = (
        f"{result['provider']} {result['account']}: {result['baseline']['collected_at']} -> {result['current']['collected_at']}: "
        f"{counts['new']} new, {counts['unchanged']} unchanged, {counts['resolved']} resolved findings; "
        f"{len(result['new_failures'])} new failing, {len(result['resolved_failures'])} failures resolved"
    )
    lines = [f"## trustscan diff\n\n{head}\n" if markdown else head]
    for title, rows in (("New failing findings", result["new_failures"]), ("Resolved failures", result["resolved_failures"])):
        if not rows:
            continue
        if markdown:
            lines += [
                f"\n### {title} ({len(rows)})\n",
                "| Severity | Check | Resource | Region | Status | Why |",
                "| --- | --- | --- | --- | --- | --- |",
            ]
            lines += [
                f"| {r['severity']} | {code(r['check_id'])} | {cell(r['resource_name'])} | {cell(r['region'])} | {r['status']} | {cell(r['message'])} |"
                for r in rows
            ]
        else:
            lines.append(f"\n{title} ({len(rows)}):")
            lines += [
                f"  {r['severity']:<8} {r['check_id']}  {r['resource_name']} [{r['region']}] {r['status']}: {r['message']}"
                for r in rows
            ]
    return "\n".join(lines) + "\n"


@click.group("config")
def config_group() -> None:
    """trustscan.yaml: validate it, or print its JSON Schema."""


@config_group.command("validate")
@click.argument("path", type=click.Path(dir_okay=False), default="trustscan.yaml")
def config_validate(path: str) -> None:
    """Validate a trustscan.yaml (schema, known check ids and parameters) and list its waivers' states today."""
    from scanner.config import load_config, providers_in_scope, resolve_checks, validate_references
    from scanner.errors import ConfigurationError
    from scanner.registry import load_checks

    config = load_config(path)
    registry = load_checks()
    validate_references(config, registry, path)
    for provider in providers_in_scope(config):  # what `scan <provider> --config` would reject
        resolve_checks(config, provider, registry, path)
    aws = config.providers.get("aws")
    if aws is not None and isinstance(aws.regions, list):
        from scanner.collect.aws._regions import check_region_names

        try:
            check_region_names(aws.regions)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{path}: providers.aws.regions: {exc}") from None
    now = datetime.now(timezone.utc)
    expired = [w.id for w in config.waivers if now >= w.ends_at(config.zone)]
    click.echo(f"{path}: valid; {len(config.waivers)} waiver(s)" + (f", expired today: {', '.join(expired)}" if expired else ""))


@config_group.command("schema")
def config_schema_command() -> None:
    """Print the JSON Schema of trustscan.yaml (also at docs/trustscan.schema.json)."""
    from scanner.config import config_schema_json

    click.echo(config_schema_json(), nl=False)


@click.command("github-report")
@click.argument("report_path", metavar="REPORT.json", type=click.Path(dir_okay=False))
@click.option("--exit-code", type=int, help="The scan's exit status (sets result=pass|fail|error).")
@click.option(
    "--fail-on", type=click.Choice(FAIL_ON, case_sensitive=False), help="The scan's threshold (default: the config's, else any)."
)
@click.option(
    "--fail-on-new-only", is_flag=True, help="Count only new FAIL findings as failed (the report was made with --baseline)."
)
@click.option("--sarif-file", type=click.Path(dir_okay=False), help="The SARIF file written beside the report.")
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="trustscan.yaml, to point waiver warnings at their lines."
)
@click.option(
    "--upload-sarif",
    type=click.Choice(["auto", "true", "false"]),
    default="auto",
    show_default=True,
    help="auto: not on pull requests from forks (their token cannot upload).",
)
@click.option("--category", default="", help="Code scanning category (default trustscan/<provider>/<account>/).")
@click.option("--annotations/--no-annotations", default=True, show_default=True)
@click.option("--summary/--no-summary", default=True, show_default=True)
def github_report(
    report_path, exit_code, fail_on, fail_on_new_only, sarif_file, config_path, upload_sarif, category, annotations, summary
) -> None:
    """Write the step summary, annotations and step outputs for a JSON report (inside GitHub Actions).

    Reads GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_WORKSPACE and the event; outside Actions it
    prints the annotations and writes nothing else. Always exits 0: the scan's exit status is the gate.
    """
    from scanner.ci import github
    from scanner.formatters import markdown
    from scanner.gate import gating_failures

    env = os.environ
    fail_on = (fail_on or _config_fail_on(config_path) or "any").lower()
    report = None
    if Path(report_path).is_file():
        from scanner.baseline import load_report

        report = load_report(report_path)
    result = github.result_for(exit_code) if exit_code is not None else ("error" if report is None else None)
    failed = gating_failures(report, fail_on, fail_on_new_only) if report is not None else []
    if result is None:
        result = "fail" if failed else "pass"
    if summary and env.get("GITHUB_STEP_SUMMARY"):
        if report is None:
            text = (
                f"## trustscan: ⚠️ error\n\nThe scan exited with status {exit_code} before writing a report: see the step log.\n"
            )
        else:
            text = markdown.render(report, verdict=_verdict(report, result, failed, fail_on, fail_on_new_only))
        github.append_summary(env["GITHUB_STEP_SUMMARY"], text)
    if annotations and report is not None:
        for line in github.annotations(report, workspace=env.get("GITHUB_WORKSPACE"), config_path=config_path):
            click.echo(line)
    sarif_ok = bool(sarif_file) and Path(sarif_file).is_file()
    upload = sarif_ok and github.should_upload(upload_sarif, env)
    shard = report.metadata.shard if report is not None else None
    if shard is not None and upload:
        # one shard's SARIF under the organization's category would replace the whole analysis
        click.echo(
            github.command(
                "notice",
                f"shard {shard.index}/{shard.count}: its SARIF is not uploaded to code scanning (it would replace the "
                "organization's alerts with this shard's); upload the SARIF of `trustscan merge`",
                title="trustscan",
            )
        )
        upload = False
    outputs = {
        "sarif-file": sarif_file if sarif_ok else "",
        "json-file": report_path if report is not None else "",
        "findings": sum(1 for f in report.findings if f.status.value == "FAIL") if report is not None else 0,
        "failed": len(failed),
        "result": result,
        "category": category or github.category_for(report),
        "upload-sarif": str(upload).lower(),
    }
    if env.get("GITHUB_OUTPUT"):
        github.write_outputs(env["GITHUB_OUTPUT"], outputs)
    else:
        click.echo(json.dumps(outputs), err=True)


def _config_fail_on(config_path: str | None) -> str | None:
    if not config_path or not Path(config_path).is_file():
        return None
    from scanner.config import load_config
    from scanner.errors import ConfigurationError

    try:
        return load_config(config_path).fail_on
    except ConfigurationError:
        return None  # the scan step has already reported it


def _verdict(report, result: str, failed: list, fail_on: str, new_only: bool) -> str:
    from scanner.formatters.markdown import headline

    scope = ("new " if new_only else "") + "FAIL finding" + ("s" * (len(failed) != 1))
    threshold = "" if fail_on in ("any", "never") else f" at or above {fail_on}"
    if result == "fail":
        return f"❌ fail: {len(failed)} {scope}{threshold}"
    if result == "error":
        return f"⚠️ error: the scan did not complete cleanly ({headline(report).split(' ', 1)[1]})"
    return f"✅ pass ({headline(report).split(' ', 1)[1]})" + (f", gate: fail-on {fail_on}" if fail_on != "any" else "")


COMMANDS = [diff_command, config_group, github_report]


def register(cli: click.Group) -> None:
    for command in COMMANDS:
        cli.add_command(command)
