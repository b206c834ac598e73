"""`trustscan scan terraform`: the same checks on a Terraform tree or plan, before anything is deployed."""

from __future__ import annotations

import os
import click

TERRAFORM_HELP = """Scan Terraform: the same SOC 2 checks on a tree of .tf files (or a plan), findings at file and line.

PATH (default .) is walked for .tf files; every directory no other scanned module calls is a root
module, local module calls are followed with their inputs. Values Terraform knows only after apply,
or variables without a value, make a verdict UNKNOWN (never PASS); what Terraform cannot express
(IAM users' MFA, the credential report) is NOT_APPLICABLE with the reason.

With --plan, values come from `terraform show -json PLANFILE` (modules expanded, variables
resolved); PATH is the root module the plan was made in, read for each finding's file and line.
"""


def register(scan_group: click.Group) -> None:
    from scanner.cli import main as cli_main
    from scanner.cli.policy import policy_options

    @click.argument("paths", nargs=-1, type=click.Path())
    @click.option("--var-file", "var_files", multiple=True, type=click.Path(dir_okay=False), help="A .tfvars (or .tfvars.json) file (repeatable).")
    @click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="Set a root module variable (repeatable).")
    @click.option("--plan", "plan_path", type=click.Path(dir_okay=False), help="A plan as JSON: terraform show -json PLANFILE > plan.json.")
    @cli_main.selection_options
    @cli_main.output_options
    @policy_options
    def terraform(paths, var_files, variables, plan_path, check_ids, severities, params, max_workers, formats, output, fail_on, quiet, verbose) -> None:
        from datetime import datetime, timezone

        from scanner.cli.policy import current_policy, finalize
        from scanner.engine.scan import frameworks
        from scanner.sources.terraform import scan as tf_scan
        from scanner.sources.terraform.loader import collector_paused

        cli_main._configure_logging(verbose)
        cli_main.outputs.preflight(formats, output)
        # The whole scan, the report's assembly and its writing included, without the cyclic collector
        # (millions of long-lived objects it would traverse again and again for nothing); the command
        # ends right after, so what it built is frozen rather than collected once more at the end.
        with collector_paused(then_freeze=True):
            started = datetime.now(timezone.utc)
            parsed_params = cli_main._parse_params(params)
            checks = cli_main._select(None, check_ids, severities, parsed_params)
            if plan_path:
                from scanner.sources.terraform.plan import from_plan

                if var_files or variables:
                    raise click.UsageError("--var and --var-file do not apply to --plan: the plan has the variables' values")
                source = from_plan(plan_path, paths)
            else:
                from scanner.sources.terraform.loader import scan_root
                from scanner.sources.terraform.modules import variable_values

                root, walk = scan_root(paths)
                values, _ = variable_values(walk[0] if len(walk) == 1 else root, list(var_files), list(variables), dict(os.environ))
                source = tf_scan.from_tree(paths, values)
            for warning in source.warnings:
                click.echo(f"trustscan: warning: {warning}", err=True)
            for file, line, message in source.parse_errors:
                click.echo(f"trustscan: error: {file}:{line}: {message}", err=True)
            report, _ = tf_scan.report(source, checks, frameworks(), parsed_params, started)
            for address, module_source, _ in source.remote_modules:
                click.echo(f"trustscan: warning: {address} ({module_source}) is a remote module: not scanned", err=True)
            report = finalize(report)
            cli_main._emit(report, formats, output)
        raise cli_main.ExitWith(cli_main.exit_status(report, fail_on.lower(), current_policy().fail_on_new_only))

    terraform.__doc__ = TERRAFORM_HELP
    scan_group.command("terraform", epilog=cli_main.EXIT_CODES_HELP, help=TERRAFORM_HELP)(terraform)
