"""`--config`, `--baseline`, `--fail-on-new-only` and `--fail-on-errors` for the commands that produce a report.

`policy_options` adds the four options to `scan <provider>`, `evaluate` and `demo`. When the command
runs it loads trustscan.yaml, fills in what the command line left unset (check selection, severity,
parameters, regions / subscriptions / projects, fail-on: the command line wins), loads the baseline,
and keeps both in the click context (`ctx.meta`, click's place for state shared by decorators).
`finalize(report)`, called once the report is built, applies the waivers and the baseline comparison;
`current_policy().fail_on_new_only` tells the exit status what to gate on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
from click.core import ParameterSource

from scanner.errors import ConfigurationError

META_KEY = "trustscan.policy"
PROVIDER_SETTINGS = ("regions", "subscriptions", "projects", "profile")


@dataclass(frozen=True)
class Policy:
    config: Any = None  # scanner.config.TrustscanConfig
    config_path: str | None = None
    baseline: Any = None  # scanner.models.report.Report
    baseline_path: str | None = None
    fail_on_new_only: bool = False
    fail_on_errors: bool = True  # collection errors (ERROR findings) make the exit status 3


NO_POLICY = Policy()


def current_policy() -> Policy:
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(META_KEY, NO_POLICY) if ctx is not None else NO_POLICY


def policy_options(func: Callable) -> Callable:
    @functools.wraps(func)
    def wrapper(
        *args: Any, config_path: str | None, baseline_path: str | None, fail_on_new_only: bool, fail_on_errors: bool, **kwargs: Any
    ) -> Any:
        ctx = click.get_current_context()
        if fail_on_new_only and not baseline_path:
            raise ConfigurationError("--fail-on-new-only needs --baseline PREVIOUS_REPORT.json")
        config = None
        if config_path:
            from scanner.config import load_config

            config = load_config(config_path)
            _merge(config, config_path, ctx, kwargs)
            if config.fail_on_errors is not None and ctx.get_parameter_source("fail_on_errors") == ParameterSource.DEFAULT:
                fail_on_errors = config.fail_on_errors
        baseline = None
        if baseline_path:
            from scanner.baseline import load_report

            baseline = load_report(baseline_path)
        ctx.meta[META_KEY] = Policy(config, config_path, baseline, baseline_path, fail_on_new_only, fail_on_errors)
        return func(*args, **kwargs)

    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            help="trustscan.yaml: regions, checks, parameters, fail-on and waivers (command-line options win).",
        ),
        click.option(
            "--baseline",
            "baseline_path",
            type=click.Path(dir_okay=False),
            help="An earlier JSON report: mark every finding new / unchanged / resolved.",
        ),
        click.option("--fail-on-new-only", is_flag=True, help="Gate only on FAIL findings that are new against --baseline."),
        click.option(
            "--fail-on-errors/--no-fail-on-errors",
            default=True,
            show_default=True,
            help="Exit 3 when collections failed (ERROR findings). --no-fail-on-errors tolerates them: they stay in every "
            "output, stderr counts them, and an interrupted scan still exits 3.",
        ),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _merge(config: Any, path: str, ctx: click.Context, kwargs: dict[str, Any]) -> None:
    """Config values for every option the command line left at its default."""
    from scanner.config import parameter_pairs, resolve_checks, validate_references

    provider = _provider(ctx, kwargs)
    needs_registry = config.checks.include is not None or config.checks.exclude or config.parameters or config.waivers
    registry: dict[str, Any] = {}
    if needs_registry:
        from scanner.registry import load_checks

        registry = load_checks()
        validate_references(config, registry, path)
    # evaluate re-runs the checks its snapshot was collected for: the file's selection is for collecting
    if provider and kwargs.get("check_ids") is None:
        # a Terraform tree declares resources of every cloud: the file's selection spans them all
        ids = resolve_checks(config, None if provider == "terraform" else provider, registry, path)
        if ids is not None:
            kwargs["check_ids"] = ",".join(ids)
    if provider and kwargs.get("severities") is None and config.checks.severity:
        kwargs["severities"] = ",".join(config.checks.severity)
    if "params" in kwargs:
        kwargs["params"] = parameter_pairs(config) + tuple(kwargs["params"])
    if config.fail_on and "fail_on" in kwargs and ctx.get_parameter_source("fail_on") == ParameterSource.DEFAULT:
        kwargs["fail_on"] = config.fail_on
    settings = config.providers.get(provider) if provider else None
    if settings is not None and ctx.info_name not in ("demo", "evaluate"):
        for name in PROVIDER_SETTINGS:
            value = getattr(settings, name)
            if value is None:
                continue
            if name not in kwargs:
                raise ConfigurationError(f"{path}: providers.{provider}.{name}: `scan {provider}` has no --{name} option")
            if kwargs[name] is None:
                kwargs[name] = value if isinstance(value, str) else ",".join(value)


def _provider(ctx: click.Context, kwargs: dict[str, Any]) -> str | None:
    if ctx.info_name == "demo":
        return kwargs.get("provider_name")
    if ctx.parent is not None and ctx.parent.info_name == "scan":
        return ctx.info_name
    return None  # evaluate: the snapshot names its provider and the checks it was collected for


def finalize(report: Any) -> Any:
    """Apply the current command's waivers and baseline to a freshly built report."""
    policy = current_policy()
    if policy.config is not None and policy.config.waivers:
        from scanner.waivers import apply_waivers, warnings

        report = apply_waivers(report, policy.config.waivers, policy.config.zone)
        for line in warnings(report):
            click.echo(f"trustscan: warning: {line}", err=True)
    if policy.baseline is not None:
        from scanner.baseline import compare

        report = compare(report, policy.baseline, policy.baseline_path or "baseline")
    return report
