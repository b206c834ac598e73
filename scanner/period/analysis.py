"""Fold a period's reports, in scan order, into operating-effectiveness facts (SOC 2 Type 2).

Two passes over the files: the first reads only each file's head (schema_version, metadata) to order
the scans by `collected_at`; the second streams each file's findings and applies them. A file is
parsed completely into a compact staging list (one tuple per finding) before anything is applied,
so a corrupt or truncated file never leaves half its scan in the results.

State is per distinct finding id (resources are matched across scans by the stable `finding_id`),
per check, per criterion and per waiver: it grows with the estate, not with the number of scans.

Definitions:
- a failure window opens at the first FAIL of a finding (a WAIVED finding whose waiver's original
  status is FAIL counts as failing, and the window is marked waived) and closes at the first later
  scan where it is PASS or NOT_APPLICABLE, or where a scan that evaluated its check in its account
  no longer reports it (the resource is gone). ERROR and UNKNOWN neither open nor close a window.
  Time to remediate = closing scan time - opening scan time, in days.
- pass rate = PASS / (PASS + FAIL) over observations (one per finding per scan); WAIVED, ERROR,
  UNKNOWN and NOT_APPLICABLE are counted but not in the rate. A check's clean-scan rate is the share
  of scans evaluating it with no FAIL.
- a gap is a run of more than `max_gap_days` consecutive days without a scan of a scope (provider
  and account) inside the period, including before the first and after the last scan.
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from scanner.errors import ConfigurationError
from scanner.period.reader import ReportFileError, check_schema_version, iter_report, read_header

log = logging.getLogger("trustscan")

STATUSES = ("PASS", "FAIL", "ERROR", "UNKNOWN", "NOT_APPLICABLE", "WAIVED")
PASS, FAIL, ERROR, UNKNOWN, NOT_APPLICABLE, WAIVED = range(6)
_STATUS_INDEX = {s: i for i, s in enumerate(STATUSES)}


@dataclass
class PeriodOptions:
    start: date | None = None
    end: date | None = None
    max_gap_days: int = 1
    skip_bad: bool = False
    jobs: int = 1  # worker processes parsing files ahead of the (sequential) folding


@dataclass
class Scan:
    path: str
    collected_at: datetime
    provider: str
    account: str
    schema_version: str
    tool_version: str


class _Resource:
    __slots__ = ("fid", "check", "resource_id", "name", "region", "account", "counts", "first_seen", "last_seen",
                 "open_start", "open_last_fail", "open_fails", "open_message", "open_at_start", "open_waived", "windows")

    def __init__(self, fid: str, check: str, resource_id: str, name: str, region: str, account: str, seen: datetime) -> None:
        self.fid, self.check, self.resource_id, self.name, self.region, self.account = fid, check, resource_id, name, region, account
        self.counts = [0] * 6
        self.first_seen = self.last_seen = seen
        self.open_start: datetime | None = None
        self.open_last_fail: datetime | None = None
        self.open_fails = 0
        self.open_message = ""
        self.open_at_start = False
        self.open_waived = False
        self.windows: list[tuple] | None = None


class _Check:
    __slots__ = ("check_id", "title", "severity", "provider", "counts", "scans", "fail_scans", "first_scan", "last_scan", "criteria")

    def __init__(self, check_id: str, provider: str, seen: datetime) -> None:
        self.check_id, self.provider = check_id, provider
        self.title = self.severity = ""
        self.counts = [0] * 6
        self.scans = self.fail_scans = 0
        self.first_scan = self.last_scan = seen
        self.criteria: set[tuple[str, str]] = set()


@dataclass
class _Criterion:
    framework: str
    criterion: str
    title: str = ""
    manual_evidence: list[str] = field(default_factory=list)
    states: dict[str, int] = field(default_factory=dict)
    scans: int = 0
    counts: list[int] = field(default_factory=lambda: [0] * 6)
    checks: set[str] = field(default_factory=set)
    order: int = 10**9


@dataclass
class _Waiver:
    waiver_id: str
    justification: str
    owner: str
    expires: str
    ticket: str | None
    first_seen: datetime
    last_seen: datetime
    findings: set[str] = field(default_factory=set)
    checks: set[str] = field(default_factory=set)
    scans: int = 0
    last_scan_counted: datetime | None = None
    states: dict[str, int] = field(default_factory=dict)  # scans per state, from the reports' waiver records


def expand_inputs(items: Iterable[str]) -> list[str]:
    """Files, folders (every *.json below them) and glob patterns, de-duplicated and sorted."""
    paths: set[str] = set()
    for item in items:
        if os.path.isdir(item):
            for dirpath, _, names in os.walk(item):
                paths.update(os.path.join(dirpath, n) for n in names if n.endswith(".json"))
        elif os.path.exists(item):
            paths.add(item)
        else:
            matches = glob.glob(item, recursive=True)
            if not matches:
                raise ConfigurationError(f"no report matches {item}")
            paths.update(m for m in matches if os.path.isfile(m))
    if not paths:
        raise ConfigurationError("no report files given")
    return sorted(paths)


def stage_report(path: str) -> tuple[list[tuple], list[dict[str, Any]], list[dict[str, Any]]]:
    """Parse one report completely into compact per-finding tuples (plus its criteria rollup).

    A module-level function so that files can be parsed in worker processes; raises ReportFileError.
    """
    staged: list[tuple] = []
    append = staged.append
    criteria: list[dict[str, Any]] = []
    waivers: list[dict[str, Any]] = []
    saw_findings = False
    status_index = _STATUS_INDEX
    for key, item in iter_report(path):
        if key == "finding":
            try:
                get = item.get
                status = status_index[item["status"]]
                fid, check = item["finding_id"], item["check_id"]
            except (KeyError, AttributeError, TypeError) as exc:
                raise ReportFileError(path, f"finding {len(staged)} is malformed (no valid {exc.args[0] if exc.args else 'object'!r})") from exc
            waiver = get("waiver")
            effective, waiver_key = status, None
            if status == WAIVED or waiver is not None:
                if isinstance(waiver, dict):
                    waiver_key = (
                        str(waiver.get("waiver_id", "")), str(waiver.get("justification", "")), str(waiver.get("owner", "")),
                        str(waiver.get("expires", "")), waiver.get("ticket"),
                    )
                    effective = status_index.get(waiver.get("original_status"), FAIL)
                else:
                    effective = FAIL  # a WAIVED finding without its waiver: assume what waivers are for
            append((
                fid, check, status, effective, get("resource_id", ""), get("resource_name", ""), get("region", ""), get("account", ""),
                get("severity", ""), get("check_title", ""), get("message", ""), get("criteria"), waiver_key, get("provider", ""),
            ))
        elif key == "schema_version":
            check_schema_version(path, item)
        elif key == "findings":
            saw_findings = True
        elif key == "criteria" and isinstance(item, list):
            criteria = [c for c in item if isinstance(c, dict)]
        elif key == "waivers" and isinstance(item, list):
            waivers = [w for w in item if isinstance(w, dict) and w.get("waiver_id")]
    if not saw_findings:
        raise ReportFileError(path, "has no findings array (not a trustscan report)")
    return staged, criteria, waivers


def _criteria_keys(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple((str(fw), str(c)) for fw, ids in sorted(value.items()) if isinstance(ids, list) for c in ids)


def _parse_time(path: str, value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise ReportFileError(path, f"has an unreadable metadata.collected_at {value!r}") from exc
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _stage_or_error(path: str) -> Any:
    try:
        return stage_report(path)
    except ReportFileError as error:
        return error


def _staged_in_order(scans: list[Scan], jobs: int) -> Iterator[tuple[Scan, Any]]:
    """(scan, staged or ReportFileError) in scan order; with jobs > 1 files are parsed in worker
    processes, at most 2 x jobs files ahead, so memory stays a few reports' worth."""
    if jobs <= 1 or len(scans) < 2:
        for scan in scans:
            yield scan, _stage_or_error(scan.path)
        return
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque = deque()
        remaining = iter(scans)
        for scan in remaining:
            pending.append((scan, pool.submit(_stage_or_error, scan.path)))
            if len(pending) >= 2 * jobs:
                break
        while pending:
            scan, future = pending.popleft()
            next_scan = next(remaining, None)
            if next_scan is not None:
                pending.append((next_scan, pool.submit(_stage_or_error, next_scan.path)))
            yield scan, future.result()


class PeriodAnalysis:
    def __init__(self, options: PeriodOptions, warn: Callable[[str], None] | None = None) -> None:
        self.options = options
        self.warn = warn or (lambda message: log.warning(message))
        self.scans: list[Scan] = []
        self.skipped: list[dict[str, str]] = []
        self.duplicates: list[str] = []
        self.outside = 0
        self.resources: dict[str, _Resource] = {}
        self.checks: dict[str, _Check] = {}
        self.criteria: dict[tuple[str, str], _Criterion] = {}
        self.waivers: dict[str, _Waiver] = {}
        self.open: set[str] = set()  # finding ids with an open failure window
        self.scope_first: dict[tuple[str, str], datetime] = {}
        self.provider_span: dict[str, list[datetime]] = {}
        self._strings: dict[str, str] = {}
        self.start: date | None = None
        self.end: date | None = None

    # -- input -------------------------------------------------------------------------------------

    def _bad(self, error: ReportFileError) -> None:
        if not self.options.skip_bad:
            raise ConfigurationError(f"{error} (use --skip-bad to skip unreadable reports)")
        self.warn(f"skipping {error}")
        self.skipped.append({"path": error.path, "reason": error.reason})

    def run(self, paths: list[str]) -> PeriodAnalysis:
        headers: list[Scan] = []
        for path in paths:
            try:
                header = read_header(path)
                meta = header["metadata"]
                identity = meta.get("identity") or {}
                headers.append(Scan(
                    path=path, collected_at=_parse_time(path, meta["collected_at"]), provider=str(meta.get("provider", "")),
                    account=str(identity.get("account", "")), schema_version=header["schema_version"],
                    tool_version=str(meta.get("tool_version", "")),
                ))
            except ReportFileError as error:
                self._bad(error)
        if not headers:
            raise ConfigurationError("no readable report in the inputs")
        self.start = self.options.start or min(h.collected_at.date() for h in headers)
        self.end = self.options.end or max(h.collected_at.date() for h in headers)
        if self.end < self.start:
            raise ConfigurationError(f"--to {self.end} is before --from {self.start}")
        seen: dict[tuple[str, str, datetime], str] = {}
        selected: list[Scan] = []
        for scan in sorted(headers, key=lambda s: (s.collected_at, s.path)):
            if not self.start <= scan.collected_at.date() <= self.end:
                self.outside += 1
                continue
            key = (scan.provider, scan.account, scan.collected_at)
            if key in seen:
                self.warn(f"skipping {scan.path}: the same scan as {seen[key]} (same account and collected_at)")
                self.duplicates.append(scan.path)
                continue
            seen[key] = scan.path
            selected.append(scan)
        for scan, staged in _staged_in_order(selected, self.options.jobs):
            if isinstance(staged, ReportFileError):
                self._bad(staged)
                continue
            self._apply(scan, *staged)
        return self

    def _s(self, value: Any) -> str:
        """Intern repeated strings (check ids, regions, accounts) so state shares one copy."""
        text = "" if value is None else str(value)
        return self._strings.setdefault(text, text)

    # -- folding -----------------------------------------------------------------------------------

    def _apply(self, scan: Scan, staged: list[tuple], criteria: list[dict[str, Any]], waivers: list[dict[str, Any]]) -> None:
        t = scan.collected_at
        self.scans.append(scan)
        scope = (scan.provider, scan.account)
        self.scope_first.setdefault(scope, t)
        first_of_scope = self.scope_first[scope] == t
        span = self.provider_span.setdefault(scan.provider, [t, t])
        span[1] = t
        accounts = {scan.account}
        per_check: dict[str, list[int]] = {}
        check_criteria: dict[str, tuple] = {}
        resources, checks = self.resources, self.checks
        for (fid, check, status, effective, resource_id, name, region, account, severity, title, message, crit, waiver,
             provider) in staged:
            accounts.add(account)
            counts = per_check.get(check)
            if counts is None:
                counts = per_check[check] = [0] * 6
                check_criteria[check] = _criteria_keys(crit)
                spec = checks.get(check)
                if spec is None:
                    check = self._s(check)
                    spec = checks[check] = _Check(check, self._s(provider) or check.split(".", 1)[0], t)
                spec.title, spec.severity = str(title or spec.title), str(severity or spec.severity)
            counts[status] += 1
            res = resources.get(fid)
            if res is None:
                res = resources[fid] = _Resource(
                    str(fid), checks[check].check_id, str(resource_id), str(name), self._s(region), self._s(account), t
                )
            res.counts[status] += 1
            res.last_seen = t
            if effective == FAIL:
                if res.open_start is None:
                    res.open_start, res.open_fails, res.open_message = t, 0, message
                    res.open_at_start, res.open_waived = first_of_scope, False
                    self.open.add(fid)
                res.open_last_fail = t
                res.open_fails += 1
                res.open_waived = res.open_waived or status == WAIVED
            elif effective in (PASS, NOT_APPLICABLE) and res.open_start is not None:
                self._close(res, t, "passed" if effective == PASS else "not_applicable")
            if waiver is not None:
                self._waiver(waiver, fid, check, t)

        # Failures of resources this scan no longer reports (its check ran in their account): gone.
        for fid in [f for f in self.open if resources[f].last_seen != t]:
            res = resources[fid]
            if res.check in per_check and res.account in accounts:
                self._close(res, t, "no_longer_reported")

        for check, counts in per_check.items():
            spec = checks[check]
            spec.scans += 1
            spec.fail_scans += 1 if counts[FAIL] else 0
            spec.last_scan = t
            for i, n in enumerate(counts):
                spec.counts[i] += n
            for key in check_criteria[check]:
                spec.criteria.add(key)
                crit = self._criterion(*key)
                crit.checks.add(check)
                for i, n in enumerate(counts):
                    crit.counts[i] += n
        for record in waivers:  # every configured waiver the scan saw, with its state (active / expired / stale)
            key = str(record["waiver_id"])
            waiver = self.waivers.get(key)
            if waiver is None:
                waiver = self.waivers[key] = _Waiver(
                    key, str(record.get("justification", "")), str(record.get("owner", "")), str(record.get("expires", "")),
                    record.get("ticket"), t, t,
                )
            waiver.last_seen = t
            state = str(record.get("state", ""))
            waiver.states[state] = waiver.states.get(state, 0) + 1
        for order, rollup in enumerate(criteria):
            key = (str(rollup.get("framework", "")), str(rollup.get("criterion", "")))
            crit = self._criterion(*key)
            crit.order = order
            crit.title = str(rollup.get("title", crit.title))
            crit.manual_evidence = [str(e) for e in rollup.get("manual_evidence") or []]
            state = str(rollup.get("state", "unknown"))
            crit.states[state] = crit.states.get(state, 0) + 1
            crit.scans += 1

    def _criterion(self, framework: str, criterion: str) -> _Criterion:
        key = (framework, criterion)
        crit = self.criteria.get(key)
        if crit is None:
            crit = self.criteria[key] = _Criterion(framework, criterion)
        return crit

    def _close(self, res: _Resource, t: datetime, how: str) -> None:
        assert res.open_start is not None
        window = (res.open_start, res.open_last_fail, t, how, res.open_fails, res.open_at_start, res.open_waived, res.open_message)
        if res.windows is None:
            res.windows = []
        res.windows.append(window)
        res.open_start = None
        self.open.discard(res.fid)

    def _waiver(self, key: tuple, fid: str, check: str, t: datetime) -> None:
        waiver = self.waivers.get(key[0] or str(key))
        if waiver is None:
            waiver = self.waivers[key[0] or str(key)] = _Waiver(key[0], key[1], key[2], key[3], key[4], t, t)
        waiver.last_seen = t
        waiver.findings.add(fid)
        waiver.checks.add(check)
        if waiver.last_scan_counted != t:
            waiver.scans += 1
            waiver.last_scan_counted = t

    # -- results -----------------------------------------------------------------------------------

    def result(self) -> dict[str, Any]:
        assert self.start is not None and self.end is not None
        windows = []
        for res in self.resources.values():
            for window in res.windows or []:
                windows.append(_window(res, window))
            if res.open_start is not None:
                windows.append(_window(res, (
                    res.open_start, res.open_last_fail, None, "open", res.open_fails, res.open_at_start, res.open_waived, res.open_message,
                )))
        windows.sort(key=lambda w: (w["check_id"], w["resource_name"], w["region"], w["started_at"]))
        by_check: dict[str, list[dict[str, Any]]] = {}
        for w in windows:
            by_check.setdefault(w["check_id"], []).append(w)
        resources_per_check: dict[str, int] = {}
        for res in self.resources.values():
            resources_per_check[res.check] = resources_per_check.get(res.check, 0) + 1

        checks = []
        for check_id in sorted(self.checks):
            spec = self.checks[check_id]
            span = self.provider_span[spec.provider] if spec.provider in self.provider_span else None
            ws = by_check.get(check_id, [])
            checks.append({
                "check_id": check_id, "title": spec.title, "severity": spec.severity, "provider": spec.provider,
                "criteria": [f"{fw}:{c}" for fw, c in sorted(spec.criteria)],
                "scans": spec.scans, "first_scan": _iso(spec.first_scan), "last_scan": _iso(spec.last_scan),
                "added_during_period": bool(span and spec.first_scan > span[0]),
                "removed_during_period": bool(span and spec.last_scan < span[1]),
                "resources": resources_per_check.get(check_id, 0),
                "observations": _counts(spec.counts), "pass_rate": _rate(spec.counts),
                "clean_scan_rate": round(1 - spec.fail_scans / spec.scans, 4) if spec.scans else None,
                **_window_stats(ws),
            })
        check_stats = {c["check_id"]: c for c in checks}

        criteria = []
        for crit in sorted(self.criteria.values(), key=lambda c: (c.order, c.framework, c.criterion)):
            ws = [w for check in sorted(crit.checks) for w in by_check.get(check, [])]
            criteria.append({
                "framework": crit.framework, "criterion": crit.criterion, "title": crit.title, "scans": crit.scans,
                "states": dict(sorted(crit.states.items())), "checks": sorted(crit.checks),
                "observations": _counts(crit.counts), "pass_rate": _rate(crit.counts),
                "failure_windows": len(ws), "open_at_end": sum(1 for w in ws if w["resolution"] == "open"),
                "manual_evidence": crit.manual_evidence,
            })

        resources = [
            {
                "finding_id": r.fid, "check_id": r.check, "resource_id": r.resource_id, "resource_name": r.name, "region": r.region,
                "account": r.account, "first_seen": _iso(r.first_seen), "last_seen": _iso(r.last_seen),
                "observations": _counts(r.counts), "pass_rate": _rate(r.counts),
                "failure_windows": len(r.windows or []) + (1 if r.open_start is not None else 0),
                "open_at_end": r.open_start is not None,
            }
            for r in sorted(self.resources.values(), key=lambda r: (r.check, r.name, r.region, r.fid))
        ]
        waivers = [
            {
                "waiver_id": w.waiver_id, "justification": w.justification, "owner": w.owner, "expires": w.expires, "ticket": w.ticket,
                "first_seen": _iso(w.first_seen), "last_seen": _iso(w.last_seen), "scans": w.scans, "findings": len(w.findings),
                "checks": sorted(w.checks), "states": dict(sorted(w.states.items())),
                "expired_before_period_end": bool(w.expires) and w.expires[:10] < self.end.isoformat(),
            }
            for w in sorted(self.waivers.values(), key=lambda w: (w.waiver_id, w.owner))
        ]
        scopes = self._scopes()
        versions: dict[str, int] = {}
        tools: dict[str, int] = {}
        for scan in self.scans:
            versions[scan.schema_version] = versions.get(scan.schema_version, 0) + 1
            tools[scan.tool_version] = tools.get(scan.tool_version, 0) + 1
        return {
            "period": {
                "from": self.start.isoformat(), "to": self.end.isoformat(), "days": (self.end - self.start).days + 1,
                "max_gap_days": self.options.max_gap_days,
            },
            "inputs": {
                "scans": len(self.scans), "outside_period": self.outside, "duplicates": self.duplicates, "skipped": self.skipped,
                "schema_versions": dict(sorted(versions.items())), "tool_versions": dict(sorted(tools.items())),
            },
            "scopes": scopes,
            "criteria": criteria,
            "checks": checks,
            "checks_added": [c["check_id"] for c in checks if c["added_during_period"]],
            "checks_removed": [c["check_id"] for c in checks if c["removed_during_period"]],
            "failures": windows,
            "open_at_end": [w for w in windows if w["resolution"] == "open"],
            "waivers": waivers,
            "resources": resources,
            "_check_stats": check_stats,
        }

    def _scopes(self) -> list[dict[str, Any]]:
        assert self.start is not None and self.end is not None
        by_scope: dict[tuple[str, str], list[Scan]] = {}
        for scan in self.scans:
            by_scope.setdefault((scan.provider, scan.account), []).append(scan)
        out = []
        for (provider, account), scans in sorted(by_scope.items()):
            days = sorted({s.collected_at.date() for s in scans})
            gaps = []
            previous = self.start - timedelta(days=1)
            for day in days + [self.end + timedelta(days=1)]:
                missing = (day - previous).days - 1
                if missing > self.options.max_gap_days:
                    gaps.append({"from": (previous + timedelta(days=1)).isoformat(), "to": (day - timedelta(days=1)).isoformat(), "days": missing})
                previous = day
            total = (self.end - self.start).days + 1
            out.append({
                "provider": provider, "account": account, "scans": len(scans), "first_scan": _iso(scans[0].collected_at),
                "last_scan": _iso(scans[-1].collected_at), "days_covered": len(days), "days_in_period": total,
                "coverage": round(len(days) / total, 4), "gaps": gaps,
            })
        return out


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _counts(counts: list[int]) -> dict[str, int]:
    return {STATUSES[i]: n for i, n in enumerate(counts) if n}


def _rate(counts: list[int]) -> float | None:
    decided = counts[PASS] + counts[FAIL]
    return round(counts[PASS] / decided, 4) if decided else None


def _window(res: _Resource, window: tuple) -> dict[str, Any]:
    """A window (started, last failed, closed or None, how, failing scans, open at start, waived, message) for output."""
    start, last_fail, end, how, fails, at_start, waived, message = window
    return {
        "finding_id": res.fid, "check_id": res.check, "resource_id": res.resource_id, "resource_name": res.name,
        "region": res.region, "account": res.account,
        "started_at": _iso(start), "last_failed_at": _iso(last_fail), "remediated_at": _iso(end),
        "resolution": how,
        "time_to_remediate_days": round((end - start).total_seconds() / 86400, 2) if end is not None else None,
        "failing_scans": fails, "open_at_period_start": at_start, "waived": waived, "message": message,
    }


def _window_stats(windows: list[dict[str, Any]]) -> dict[str, Any]:
    closed = sorted(w["time_to_remediate_days"] for w in windows if w["time_to_remediate_days"] is not None)
    stats: dict[str, Any] = {
        "failure_windows": len(windows), "remediated": len(closed),
        "open_at_end": sum(1 for w in windows if w["resolution"] == "open"),
    }
    if closed:
        mid = len(closed) // 2
        median = closed[mid] if len(closed) % 2 else round((closed[mid - 1] + closed[mid]) / 2, 2)
        stats["time_to_remediate_days"] = {"median": median, "mean": round(sum(closed) / len(closed), 2), "max": closed[-1]}
    else:
        stats["time_to_remediate_days"] = None
    return stats


def analyse(inputs: Iterable[str], options: PeriodOptions, warn: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Read the reports (files, folders, globs) and return the period result (plain JSON-ready data)."""
    analysis = PeriodAnalysis(options, warn).run(expand_inputs(inputs))
    result = analysis.result()
    result.pop("_check_stats", None)
    return result
