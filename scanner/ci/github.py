"""GitHub Actions: the step summary, workflow-command annotations and step outputs for a report.

- Annotations: GitHub shows at most 10 error and 10 warning annotations per step, so the top
  failing findings by severity (new ones first against a baseline) are annotated, critical/high as
  errors and the rest as warnings, and one notice counts what was left out. Expired and stale
  waivers are warnings pointing at their line in trustscan.yaml. Data and properties are escaped
  as the runner expects (`%`, CR, LF; and `:` `,` in properties). `file=`/`line=` only when a finding
  names a file that exists in the workspace: a cloud resource has none.
- Outputs use the multi-line `name<<delimiter` form with a random delimiter (a value cannot end it).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scanner.formatters import markdown
from scanner.models.common import Severity
from scanner.models.report import Finding, Report

MAX_PER_LEVEL = 10  # GitHub displays 10 error and 10 warning annotations per step
ERROR_SEVERITIES = {Severity.CRITICAL, Severity.HIGH}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: Any) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value not in (None, ""))
    return f"::{kind}{' ' + props if props else ''}::{escape_data(message)}"


def repository_location(finding: Finding, workspace: str | Path | None) -> tuple[str, int] | None:
    """(path, line) when the finding names a file that exists in the checked-out repository: a
    Terraform finding's location (relative to where trustscan ran), or a file named in evidence."""
    if finding.location is not None:
        import posixpath

        path: Any = posixpath.normpath(posixpath.join(finding.location.root, finding.location.file))
        line: Any = finding.location.start_line
    else:
        path, line = finding.evidence.get("file"), finding.evidence.get("line", 1)
    if not workspace or not isinstance(path, str) or not path or os.path.isabs(path):
        return None
    root = Path(workspace).resolve()
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate.relative_to(root).as_posix(), line if isinstance(line, int) and line > 0 else 1


def waiver_lines(config_path: str | None) -> dict[str, int]:
    """waiver id -> its line in trustscan.yaml (for annotations pointing at the waiver to renew)."""
    if not config_path:
        return {}
    try:
        import yaml

        from scanner.config import parse_config

        text = Path(config_path).read_text(encoding="utf-8")
        config = parse_config(text, config_path)
        root = yaml.compose(text)
    except Exception:  # noqa: BLE001 - annotations are a courtesy; the scan already validated the file
        return {}
    lines: dict[str, int] = {}
    waivers_node = next((v for k, v in getattr(root, "value", []) if getattr(k, "value", None) == "waivers"), None)
    for waiver, node in zip(config.waivers, getattr(waivers_node, "value", []), strict=False):
        lines[waiver.id] = node.start_mark.line + 1
    return lines


def annotations(
    report: Report,
    *,
    workspace: str | Path | None = None,
    config_path: str | None = None,
    max_per_level: int = MAX_PER_LEVEL,
) -> list[str]:
    out: list[str] = []
    budget = {"error": max_per_level, "warning": max_per_level}
    lines = waiver_lines(config_path)
    config_file = _workspace_relative(config_path, workspace)
    for record in report.waivers:
        if record.state == "active" or budget["warning"] == 0:
            continue
        budget["warning"] -= 1
        text = (
            f"waiver {record.waiver_id} expired on {record.expires.isoformat()}: {record.matched} finding(s) count again"
            if record.state == "expired"
            else f"waiver {record.waiver_id} ({record.check} {record.resource}) matches no finding: remove it"
        )
        location = {"file": config_file, "line": lines.get(record.waiver_id)} if config_file else {}
        out.append(command("warning", text, title=f"trustscan waiver {record.state}", **location))
    left_out = 0
    for finding in markdown.ranked_failures(report.findings):
        level = "error" if finding.severity in ERROR_SEVERITIES else "warning"
        if budget[level] == 0:
            left_out += 1
            continue
        budget[level] -= 1
        location = repository_location(finding, workspace)
        end_line = finding.location.end_line if location and finding.location is not None else None
        out.append(
            command(
                level,
                f"{finding.resource_name} ({finding.region}): {finding.message}. Remediation: {finding.remediation}",
                title=f"{'new: ' if finding.baseline_state == 'new' else ''}{finding.check_id} ({finding.severity.value})",
                file=location[0] if location else None,
                line=location[1] if location else None,
                endLine=end_line if end_line and location and end_line > location[1] else None,
            )
        )
    if left_out:
        out.append(
            command(
                "notice",
                f"{left_out} more failing finding(s) not annotated: see the step summary, code scanning or the JSON report",
                title="trustscan",
            )
        )
    return out


def _workspace_relative(path: str | None, workspace: str | Path | None) -> str | None:
    if not path:
        return None
    if not workspace:
        return Path(path).as_posix()
    root, target = Path(workspace).resolve(), Path(path).resolve()
    return target.relative_to(root).as_posix() if target.is_relative_to(root) else None


def write_outputs(path: str | Path, values: Mapping[str, object]) -> None:
    """Append step outputs to $GITHUB_OUTPUT."""
    with open(path, "a", encoding="utf-8") as handle:
        for name, value in values.items():
            text = str(value)
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            while delimiter in text:
                delimiter = f"ghadelimiter_{uuid.uuid4()}"
            handle.write(f"{name}<<{delimiter}\n{text}\n{delimiter}\n")


def append_summary(path: str | Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def is_fork_pull_request(env: Mapping[str, str]) -> bool:
    """A pull request from a fork gets a read-only token: code scanning uploads would fail there."""
    if env.get("GITHUB_EVENT_NAME") not in ("pull_request", "pull_request_review", "pull_request_review_comment"):
        return False
    try:
        event = json.loads(Path(env.get("GITHUB_EVENT_PATH", "")).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    head = ((event.get("pull_request") or {}).get("head") or {}).get("repo") or {}
    return bool(head.get("full_name")) and head.get("full_name") != env.get("GITHUB_REPOSITORY")


def should_upload(mode: str, env: Mapping[str, str]) -> bool:
    mode = (mode or "auto").lower()
    if mode in ("true", "yes", "1"):
        return True
    if mode in ("false", "no", "0"):
        return False
    return not is_fork_pull_request(env)


def result_for(exit_code: int | None) -> str:
    return {0: "pass", 1: "fail"}.get(exit_code if exit_code is not None else -1, "error")


def category_for(report: Report | None) -> str:
    if report is None:
        return "trustscan"
    return f"trustscan/{report.metadata.provider}/{report.metadata.identity.account}/"
