"""The `trustscan` command: parse options, call the library, pick a formatter.

Cloud SDKs are imported inside the commands that need them, so `--help` and `checks list` start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from scanner import __version__
from scanner.cli import ci_commands, evidence_commands, interrupts, outputs, terraform_command
from scanner.cli.crash import missing_extra, report_crash
from scanner.cli.evidence_commands import evidence_options, write_evidence
from scanner.cli.policy import current_policy, finalize, policy_options
from scanner.cli.progress import Progress
from scanner.errors import ConfigurationError
from scanner.providers import PROVIDERS
from scanner.safe_load import one_line
from scanner.text import count

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3  # EXIT_CRASH (4): scanner/cli/crash.py

EXIT_CODES_HELP = """\b
Exit status:
  0  no FAIL finding at or above --fail-on (default: any FAIL)
  1  FAIL findings at or above the --fail-on threshold
  2  usage or configuration error: nothing scanned; or an output that could not be written
     at the end (the others are written, stderr names it)
  3  the scan finished, some collections failed (ERROR findings), nothing failed at threshold
     (--no-fail-on-errors: 0 instead, unless the scan was interrupted)
  4  trustscan crashed (an internal error; the traceback is saved and its path printed)
"""

FAIL_ON_CHOICES = ["any", "critical", "high", "medium", "low", "info", "never"]


class ExitWith(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="trustscan")
def cli() -> None:
    """trustscan: prove SOC 2 controls (MFA, encryption, logging, backup) on live cloud infrastructure."""


# -- shared options ------------------------------------------------------------------------------


def output_options(func: Callable) -> Callable:
    options = [
        click.option(
            "--format",
            "formats",
            multiple=True,
            metavar="FMT[=PATH]",
            help="Output format: table, json, sarif, junit, csv, markdown, ocsf (repeatable; FMT=PATH writes to a file).",
        ),
        click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the (single) format to PATH."),
        click.option(
            "--fail-on",
            type=click.Choice(FAIL_ON_CHOICES, case_sensitive=False),
            default="any",
            show_default=True,
            help="Lowest severity of FAIL finding that makes the exit status 1.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress output."),
        click.option("--verbose", "-v", count=True, help="Log each failed API call (-vv: debug; TRUSTSCAN_DEBUG_HTTP=1 adds the SDKs' HTTP log, secrets redacted)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def selection_options(func: Callable) -> Callable:
    options = [
        click.option("--checks", "check_ids", metavar="ID,...", help="Only these check ids, aliases or globs (aws.s3.*)."),
        click.option("--severity", "severities", metavar="LEVEL,...", help="Only checks of these severities."),
        click.option(
            "--param",
            "params",
            multiple=True,
            metavar="CHECK.NAME=VALUE",
            help="Override a check parameter, e.g. aws.logs.log_group_retention.min_days=90.",
        ),
        click.option("--max-workers", type=click.IntRange(1, 128), default=16, show_default=True, help="Concurrent API calls."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


VERBOSITY_KEY = "trustscan.verbose"


def _verbosity() -> int:
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(VERBOSITY_KEY, 0) if ctx is not None else 0


def _configure_logging(verbose: int) -> None:
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[VERBOSITY_KEY] = verbose  # the table lists everything with -v
    from scanner.cli import logs

    logs.configure(verbose)


def _parse_params(pairs: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """--param CHECK.NAME=VALUE pairs (VALUE as JSON where it parses, else a string), checked against
    each parameter's declared type and bounds."""
    import json

    from scanner.registry import load_checks, validate_params

    params: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        check_id, dot, key = name.rpartition(".")
        if not sep or not dot or not key:
            raise ConfigurationError(f"--param {pair!r} is not CHECK_ID.NAME=VALUE")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        except RecursionError:
            raise ConfigurationError(f"--param {name}: the value nests too deeply") from None
        params.setdefault(check_id, {})[key] = value
    # only the modules of the checks named (an unknown id is still looked up in the whole catalogue)
    return validate_params(load_checks(ids=list(params)), params, "--param") if params else params


def _select(provider: str | None, check_ids: str | None, severities: str | None, params: dict) -> list:
    from scanner.registry import load_checks, select_checks

    # Only the modules the selection names: start-up stays short (parameters were checked against
    # the checks they name by _parse_params).
    ids = _split(check_ids)
    registry = load_checks(provider, ids or None)
    selected = select_checks(registry, provider=provider, ids=ids, severities=_split(severities))
    if not selected:
        raise ConfigurationError("no checks match the selection")
    return selected


def _emit(report: Any, formats: tuple[str, ...], output: str | None, default_files: dict[str, str] | None = None) -> None:
    from scanner import formatters
    from scanner.cli.streaming import write_report

    planned = outputs.targets(formats, output)
    for name, _ in planned:
        formatters.get(name)  # fail before writing anything
    for name, path in planned + [(n, p) for n, p in (default_files or {}).items() if n not in {t[0] for t in planned}]:
        if name == "table" and path is None:
            from scanner.formatters.table import render as render_table

            click.echo(render_table(report, color=sys.stdout.isatty(), verbose=_verbosity() > 0), nl=False)
            continue
        if path is not None and formatters.writer(name) is not None:
            write_report(report, name, path)  # straight to the file, never the whole text in memory
        elif path is None:
            click.echo(formatters.get(name)(report), nl=False)
        else:
            outputs.write_output(name, path, formatters.get(name)(report))


def exit_status(report: Any, fail_on: str, new_only: bool = False) -> int:
    from scanner.gate import gating_failures
    from scanner.models.common import Status

    if gating_failures(report, fail_on, new_only):
        return EXIT_FAIL
    if report.metadata.incomplete:
        return EXIT_INCOMPLETE
    errors = report.summary.get(Status.ERROR, 0)
    if errors and current_policy().fail_on_errors:
        return EXIT_INCOMPLETE
    if errors:
        click.echo(f"trustscan: warning: {count(errors, 'ERROR finding')} tolerated (--no-fail-on-errors): see the outputs", err=True)
    return EXIT_OK


def _sigterm_as_interrupt() -> None:
    """Ctrl-C and SIGTERM stop the scan (outputs still written); a second one stops the process."""
    interrupts.install()


def _run(
    provider_name: str,
    provider_options: dict[str, Any],
    selection: dict[str, Any],
    *,
    quiet: bool,
    source: str = "live",
    not_emulated: frozenset[str] = frozenset(),
    shard: tuple[int, int] | None = None,
) -> tuple[Any, Any]:
    """Collect with one provider and evaluate: the library calls behind scan, collect and demo.

    `not_emulated`: collection keys a demo's emulator cannot serve; checks reading them are left
    out (and said so) rather than shown as ERROR findings the real cloud would not produce."""
    from datetime import datetime, timezone

    from scanner import providers
    from scanner.engine.pool import WorkPool

    started = datetime.now(timezone.utc)
    provider = providers.get(provider_name)
    pool = WorkPool(selection["max_workers"])
    try:
        # A provider that can (AWS) checks its options and sends its first requests (who the caller
        # is, which regions are enabled) on a thread; the checks, models and collectors are imported
        # while they are in flight. Its options are checked first: a typo there makes no request.
        start = getattr(provider, "start_collection", None)
        opening = start(pool, **provider_options) if start is not None else None
        params = _parse_params(selection["params"])
        checks = _select(provider_name, selection["check_ids"], selection["severities"], params)
        skipped = sorted(c.id for c in checks if set(c.collection_keys) & not_emulated)
        if skipped:
            checks = [c for c in checks if c.id not in skipped]
            if not checks:
                raise ConfigurationError(f"the demo cannot emulate what {', '.join(skipped)} read(s)")
            click.echo(f"demo: {len(skipped)} check(s) left out, their APIs are not emulated: {', '.join(skipped)}", err=True)
        from scanner.engine.scan import ScanOptions, collect, collection_plan, report_for

        options = ScanOptions(checks=checks, params=params, max_workers=selection["max_workers"])
        collection_plan(provider_name, checks)  # the planned collectors imported while the first requests are out
        collection = opening.result() if opening is not None else provider.open_collection(pool, **provider_options)
        with Progress(enabled=sys.stderr.isatty() and not quiet) as progress:
            options.progress = progress
            inventory = collect(collection, pool, options, shard=shard)
        report = finalize(report_for(inventory, options, source=source, started_at=started))
    finally:
        pool.shutdown(wait=False)
    return inventory, report


def _selection(check_ids: str | None, severities: str | None, params: tuple[str, ...], max_workers: int) -> dict[str, Any]:
    return {"check_ids": check_ids, "severities": severities, "params": params, "max_workers": max_workers}


def _pop_selection(kwargs: dict[str, Any]) -> dict[str, Any]:
    return _selection(kwargs.pop("check_ids"), kwargs.pop("severities"), kwargs.pop("params"), kwargs.pop("max_workers"))


def shard_option(func: Callable) -> Callable:
    return click.option(
        "--shard",
        metavar="K/N",
        envvar="TRUSTSCAN_SHARD",
        help="Scan only shard K of N (1-based): the scopes are split evenly and deterministically before anything is "
        "read; join the N reports with `trustscan merge`. Also read from TRUSTSCAN_SHARD.",
    )(func)


def _pop_shard(kwargs: dict[str, Any]) -> tuple[int, int] | None:
    from scanner.engine.plan import parse_shard

    return parse_shard(kwargs.pop("shard"))


# -- commands ------------------------------------------------------------------------------------


@cli.group()
def scan() -> None:
    """Scan a cloud account and report findings."""


def snapshot_option(func: Callable) -> Callable:
    return click.option(
        "--snapshot", "snapshot_path", type=click.Path(dir_okay=False), help="Also save the inventory the verdicts rest on."
    )(func)


def _write_snapshot(inventory: Any, path: str | None) -> None:
    if path:
        from scanner.snapshot import dump_snapshot

        outputs.write_output("snapshot", path, dump_snapshot(inventory))


@cli.group()
def collect() -> None:
    """Collect an inventory snapshot (the evidence) without evaluating it."""


def _scan_command(provider_name: str) -> Callable:
    def command(**kwargs: Any) -> None:
        _configure_logging(kwargs.pop("verbose"))
        _sigterm_as_interrupt()
        formats, output, fail_on = kwargs.pop("formats"), kwargs.pop("output"), kwargs.pop("fail_on")
        snapshot_path, quiet = kwargs.pop("snapshot_path"), kwargs.pop("quiet")
        evidence = kwargs.pop("evidence")
        shard = _pop_shard(kwargs)
        outputs.preflight(formats, output, [("snapshot", snapshot_path)])
        inventory, report = _run(provider_name, kwargs, _pop_selection(kwargs), quiet=quiet, shard=shard)
        _write_snapshot(inventory, snapshot_path)
        _emit(report, formats, output)
        write_evidence(inventory, report, evidence)
        raise ExitWith(exit_status(report, fail_on.lower(), current_policy().fail_on_new_only))

    return command


def _collect_command(provider_name: str) -> Callable:
    def command(**kwargs: Any) -> None:
        _configure_logging(kwargs.pop("verbose"))
        _sigterm_as_interrupt()
        out, quiet = kwargs.pop("out"), kwargs.pop("quiet")
        shard = _pop_shard(kwargs)
        outputs.preflight(files=[("snapshot", out)])
        inventory, _ = _run(provider_name, kwargs, _pop_selection(kwargs), quiet=quiet, shard=shard)
        _write_snapshot(inventory, out)
        failed = sum(1 for c in inventory.coverage if c.state.value in ("failed", "not_collected"))
        click.echo(f"{count(len(inventory.coverage), 'collection')}, {failed} failed", err=True)
        raise ExitWith(EXIT_INCOMPLETE if failed else EXIT_OK)

    return command


def _with(options: list[Callable], func: Callable) -> Callable:
    for option in reversed(options):
        func = option(func)
    return func


def _register_provider_commands() -> None:
    from scanner import providers

    for name in PROVIDERS:
        provider = providers.get(name)
        scan_func = policy_options(selection_options(shard_option(snapshot_option(evidence_options(output_options(_scan_command(name)))))))
        scan.command(name, epilog=EXIT_CODES_HELP, help=provider.SCAN_HELP)(_with(provider.OPTIONS, scan_func))
        collect_func = selection_options(
            _with(
                [
                    click.option(
                        "--shard",
                        metavar="K/N",
                        envvar="TRUSTSCAN_SHARD",
                        help="Collect only shard K of N (1-based); join the N snapshots with `trustscan merge --snapshot-out`.",
                    ),
                    click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Snapshot file to write."),
                    click.option("--quiet", "-q", is_flag=True, help="No progress output."),
                    click.option("--verbose", "-v", count=True, help="Log each failed API call."),
                ],
                _collect_command(name),
            )
        )
        collect.command(name, help=f"Save the {name} inventory the selected checks read to a snapshot file.")(
            _with(provider.OPTIONS, collect_func)
        )


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("snapshot", type=click.Path(dir_okay=False))
@click.option("--checks", "check_ids", metavar="ID,...", help="Only these check ids (default: the checks the snapshot was collected for).")
@click.option("--severity", "severities", metavar="LEVEL,...", help="Only checks of these severities.")
@click.option("--param", "params", multiple=True, metavar="CHECK.NAME=VALUE", help="Override a check parameter.")
@output_options
@policy_options
def evaluate(snapshot, check_ids, severities, params, formats, output, fail_on, quiet, verbose) -> None:
    """Re-evaluate a saved snapshot offline ("now" is the snapshot's collected_at)."""
    from datetime import datetime, timezone

    # SIGTERM as Ctrl-C: the run stops and cleans up (partial outputs, parked parts, worker processes)
    # instead of dying where it stands.
    interrupts.install()

    from scanner.cli.streaming import streamable
    from scanner.engine.scan import ScanOptions, load_snapshot, report_for

    _configure_logging(verbose)
    outputs.preflight(formats, output)
    started = datetime.now(timezone.utc)
    parsed = _parse_params(params)
    if streamable(formats, output, current_policy().baseline):
        from scanner.cli.streaming import evaluate_streamed
        from scanner.snapshot import open_snapshot

        source = open_snapshot(snapshot)
        checks = _select(source.metadata.provider, check_ids if check_ids is not None else _default_checks(source.metadata), severities, parsed)
        code = evaluate_streamed(source, ScanOptions(checks=checks, params=parsed), formats, output, fail_on.lower(), started)
        if code is not None:
            raise ExitWith(code)
    inventory = load_snapshot(snapshot)
    provider = inventory.metadata.provider
    checks = _select(provider, check_ids if check_ids is not None else _default_checks(inventory.metadata), severities, parsed)
    report = finalize(report_for(inventory, ScanOptions(checks=checks, params=parsed), source="snapshot", started_at=started))
    _emit(report, formats, output)
    raise ExitWith(exit_status(report, fail_on.lower(), current_policy().fail_on_new_only))


def _default_checks(metadata: Any) -> str | None:
    """The checks the snapshot was collected for, when --checks is not given."""
    return ",".join(metadata.checks) if metadata.checks else None


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write the merged JSON report here.")
@click.option("--snapshot-out", type=click.Path(dir_okay=False), help="Write the merged snapshot here (give the shard snapshots among FILES).")
@output_options
@policy_options
def merge(files, out, snapshot_out, formats, output, fail_on, quiet, verbose) -> None:
    """Join the shard reports (and shard snapshots) of one `--shard K/N` scan into one.

    FILES are the N shard reports (JSON) and, with --snapshot-out, the N shard snapshots. The merged
    report equals one unsharded scan of the same scopes; waivers and --baseline apply to it as to a scan.
    Refused (exit 2): shards of different scans, missing or duplicated shard numbers, files that are
    not shard reports or snapshots.
    """
    from scanner.cli.streaming import streamable_targets
    from scanner.engine.merge import load_shard, merge_reports, merge_snapshot_files, split

    _configure_logging(verbose)
    outputs.preflight(formats, output, [("report", out), ("snapshot", snapshot_out)])
    reports, snapshots = split(load_shard(path) for path in files)
    if snapshots and not snapshot_out:
        raise ConfigurationError("shard snapshots given: pass --snapshot-out PATH for the merged snapshot")
    if snapshot_out and not snapshots:
        raise ConfigurationError("--snapshot-out needs the shard snapshots (collect or scan with --snapshot) among the files")
    if reports and not (out or formats or output):
        raise ConfigurationError("pass --out PATH (and/or --format FMT=PATH) for the merged report")
    if (out or formats or output) and not reports:
        raise ConfigurationError("no shard report among the files: give the N shard reports (JSON) to merge a report")
    if snapshots:
        _write_snapshot(merge_snapshot_files(snapshots), snapshot_out)
    if not reports:
        raise ExitWith(EXIT_OK)
    planned = ([("json", out)] if out else []) + (outputs.targets(formats, output) if formats or output or not quiet else [])
    if streamable_targets(planned, current_policy().baseline):
        from scanner.cli.streaming import merge_streamed

        code = merge_streamed(reports, planned, fail_on.lower())
        if code is not None:
            raise ExitWith(code)
    report = finalize(merge_reports(reports))
    if out:
        from scanner.formatters.json_format import render as render_json

        outputs.write_output("json", out, render_json(report))
    if formats or output or not quiet:
        _emit(report, formats, output)
    raise ExitWith(exit_status(report, fail_on.lower(), current_policy().fail_on_new_only))


@cli.command(epilog=EXIT_CODES_HELP)
@click.option("--provider", "provider_name", type=click.Choice(list(PROVIDERS)), default="aws", show_default=True, help="Which demo to scan.")
@selection_options
@shard_option
@snapshot_option
@output_options
@policy_options
@evidence_options
def demo(
    provider_name, check_ids, severities, params, max_workers, shard, snapshot_path, formats, output, fail_on, quiet, verbose, evidence
) -> None:
    """Scan a bundled demo account served on a loopback port (no credentials needed).

    Prints the table and writes trustscan-report.json and trustscan-report.sarif.
    """
    from scanner import providers

    from scanner.engine.plan import parse_shard

    _configure_logging(verbose)
    _sigterm_as_interrupt()
    shard_part = parse_shard(shard)  # before the demo server starts: a bad K/N is one line, exit 2
    defaults = {} if (formats or output) else {"json": "trustscan-report.json", "sarif": "trustscan-report.sarif"}
    outputs.preflight(formats, output, [("snapshot", snapshot_path), *defaults.items()])
    try:
        demo_environment = providers.get(provider_name).demo()
        provider_options = demo_environment.__enter__()
        not_emulated = frozenset(provider_options.pop("not_emulated", ()))
    except ImportError as exc:
        raise ConfigurationError(f"the demo needs its extra: pip install 'trustscan[demo]' ({exc.name} is missing)") from exc
    try:
        inventory, report = _run(
            provider_name,
            provider_options,
            _selection(check_ids, severities, params, max_workers),
            quiet=quiet,
            source="demo",
            not_emulated=not_emulated,
            shard=shard_part,
        )
    finally:
        demo_environment.__exit__(None, None, None)
    _write_snapshot(inventory, snapshot_path)
    _emit(report, formats, output, defaults)
    write_evidence(inventory, report, evidence)
    raise ExitWith(exit_status(report, fail_on.lower(), current_policy().fail_on_new_only))


@cli.group()
def checks() -> None:
    """The check catalogue."""


@checks.command("list")
@click.option("--provider", type=click.Choice(["aws", "azure", "gcp"]), help="Only this provider's checks.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
def checks_list(provider, fmt) -> None:
    """List every check (the JSON form is the stable machine-readable catalogue)."""
    from scanner.catalogue import catalogue, render_catalogue_markdown, render_catalogue_table

    entries = catalogue(provider)
    if fmt == "markdown":
        click.echo(render_catalogue_markdown(entries), nl=False)
    elif fmt == "json":
        import json

        click.echo(json.dumps(entries, indent=2))
    else:
        click.echo(render_catalogue_table(entries), nl=False)


@checks.command("show")
@click.argument("check_id")
def checks_show(check_id) -> None:
    """Show one check: rationale, remediation, criteria, parameters, permissions."""
    from scanner.catalogue import catalogue_entry, render_entry

    click.echo(render_entry(catalogue_entry(check_id)), nl=False)


@cli.group()
def mappings() -> None:
    """Framework mappings (SOC 2 criteria -> checks)."""


@mappings.command("show")
@click.argument("framework", default="soc2")
@click.argument("criterion", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def mappings_show(framework, criterion, fmt) -> None:
    """Show a framework's criteria with their automated checks and the manual evidence still needed."""
    from scanner.catalogue import render_mapping

    click.echo(render_mapping(framework, criterion, fmt), nl=False)


def _permissions_command() -> None:
    """`permissions PROVIDER`: each provider may add options of its own (PERMISSIONS_OPTIONS)."""
    from scanner import providers

    owners: dict[str, str] = {}  # option's parameter name -> the provider it belongs to
    extra: list[Callable] = []
    for name in PROVIDERS:
        options = getattr(providers.get(name), "PERMISSIONS_OPTIONS", [])
        extra += options
        probe = _with(options, lambda: None)  # click records the declared parameters on the function
        owners.update({param.name: name for param in getattr(probe, "__click_params__", [])})

    def permissions(provider_name, check_ids, **provider_options) -> None:
        """Print the least privilege the selected checks need (AWS: an IAM policy; --org: the
        caller's policy and the member role's)."""
        given = {k: v for k, v in provider_options.items() if v not in (None, False)}
        foreign = sorted(k for k in given if owners[k] != provider_name)
        if foreign:
            flag = "--" + foreign[0].replace("_", "-")
            raise ConfigurationError(f"{flag} applies to `permissions {owners[foreign[0]]}` only")
        click.echo(providers.get(provider_name).permissions(_select(provider_name, check_ids, None, {}), **given))

    command = click.option("--checks", "check_ids", metavar="ID,...", help="Only what these checks need (ids, aliases or globs).")(permissions)
    command = click.argument("provider_name", metavar="PROVIDER", type=click.Choice(list(PROVIDERS)))(_with(extra, command))
    cli.command("permissions")(command)


@cli.command()
@click.argument("what", type=click.Choice(["report", "snapshot"]))
def schema(what) -> None:
    """Print the JSON Schema of the report or of the snapshot."""
    import json

    if what == "report":
        from scanner.models.report import Report as model
    else:
        from scanner.models.inventory import Snapshot as model
    click.echo(json.dumps(model.model_json_schema(), indent=2))


_register_provider_commands()
_permissions_command()
terraform_command.register(scan)
ci_commands.register(cli)
evidence_commands.register(cli, mappings)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one line on stderr and exit 2 for any usage or configuration error, 4 for a crash."""
    argv = list(sys.argv[1:] if argv is None else argv)
    code = _invoke(argv)
    if interrupts.interrupted():
        interrupts.exit_now(code)  # worker threads may still sit in a slow request: do not join them
    interrupts.restore()
    sys.exit(code)


def run() -> None:
    """The entry of the `trustscan` process (console script, `python -m scanner.cli.main`): main(),
    then the process ends without tearing the interpreter down (freeing every module and object one by
    one: ~0.1 s after a large evaluation, for nothing). What the interpreter would still do first is
    done: the exit handlers run (logging's flush, temporary directories) and the output streams are
    flushed. Not for in-process callers (tests, embedding): they call main()."""
    import threading

    try:
        main()
        code: Any = 0
    except SystemExit as done:
        code = done.code
    if threading.active_count() > 1 or not isinstance(code, (int, type(None))):
        sys.exit(code)  # a thread the interpreter would wait for, or a message to print: its own way
    import atexit
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            if code == 0 and stream is sys.stdout:
                code = 120  # as the interpreter does when the final flush of stdout fails
    os._exit(code or 0)


def _invoke(argv: list[str]) -> int:
    """Run the command; the exit status for every way it can end."""
    outputs.FAILED.clear()
    try:
        cli.main(args=argv, prog_name="trustscan", standalone_mode=False)
    except ExitWith as done:
        return EXIT_USAGE if outputs.FAILED else done.code
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.exceptions.Abort:
        click.echo("trustscan: interrupted", err=True)
        return interrupts.EXIT_INTERRUPTED
    except click.ClickException as exc:
        message = one_line(exc.format_message(), 500)
        click.echo(f"trustscan: error: {message} (see --help)", err=True)
        return EXIT_USAGE
    except ConfigurationError as exc:
        click.echo(f"trustscan: error: {one_line(exc, 500)}", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("trustscan: interrupted", err=True)
        return interrupts.EXIT_INTERRUPTED
    except ImportError as exc:
        message = missing_extra(exc)
        if message is None:
            return report_crash(exc, argv)
        click.echo(f"trustscan: error: {message}", err=True)
        return EXIT_USAGE
    except SystemExit as done:  # commands that exit with their own status (diff, verify)
        return done.code if isinstance(done.code, int) else (0 if done.code is None else EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - the last handler: a crash is not a finding
        return report_crash(exc, argv)
    return EXIT_USAGE if outputs.FAILED else EXIT_OK


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy: commands registered from other modules
    # raise scanner.cli.main.ExitWith, which a second copy of this module would not recognise.
    from scanner.cli.main import run as _run

    _run()
