"""Cloud Monitoring: log-based metrics with alerting policies for security-relevant changes (the
CIS GCP 2.4-2.11 set). One check per change type, each PASS when an enabled alerting policy
watches a log-based metric whose filter catches that change (in a threshold or absence filter, MQL
or PromQL), or matches the change in the logs itself (a log-match filter or a SQL query)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.models.index import group_by, per_inventory, per_inventory_item
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory
    from scanner.models.gcp.logging import LogMetric
    from scanner.models.gcp.monitoring import AlertPolicy

# id suffix, title phrase, the substrings a metric filter must contain (case and spacing ignored),
# remediation filter, rationale.
ALERTS = [
    ("project_ownership_changes", "project ownership assignments and changes", ["bindingdeltas", "roles/owner"],
     '(protoPayload.serviceName="cloudresourcemanager.googleapis.com") AND (ProjectOwnership OR projectOwnerInvitee) OR '
     '(protoPayload.serviceData.policyDelta.bindingDeltas.action="ADD" AND protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner")',
     "A new project owner can do anything in the project; an alert lets the security team confirm each grant as it happens "
     "(CC7.2, CC6.2)."),
    ("audit_config_changes", "audit configuration changes", ["setiampolicy", "auditconfigdeltas"],
     'protoPayload.methodName="SetIamPolicy" AND protoPayload.serviceData.policyDelta.auditConfigDeltas:*',
     "Turning Data Access logging off is how an intruder hides their reads; the change itself must raise an alert (CC7.2)."),
    ("custom_role_changes", "custom IAM role changes", ["iam_role", "createrole", "deleterole", "updaterole"],
     'resource.type="iam_role" AND (protoPayload.methodName="google.iam.admin.v1.CreateRole" OR '
     'protoPayload.methodName="google.iam.admin.v1.DeleteRole" OR protoPayload.methodName="google.iam.admin.v1.UpdateRole")',
     "Adding a permission to a custom role silently widens the access of everyone who holds it (CC7.2, CC6.3)."),
    ("firewall_changes", "VPC firewall rule changes", ["gce_firewall_rule", "compute.firewalls.insert", "compute.firewalls.patch", "compute.firewalls.delete"],
     'resource.type="gce_firewall_rule" AND (protoPayload.methodName:"compute.firewalls.patch" OR '
     'protoPayload.methodName:"compute.firewalls.insert" OR protoPayload.methodName:"compute.firewalls.delete")',
     "A firewall change can expose a service to the internet; it should be seen when made (CC7.2, CC6.6)."),
    ("network_changes", "VPC network changes", ["gce_network", "compute.networks.insert", "compute.networks.delete", "addpeering"],
     'resource.type="gce_network" AND (protoPayload.methodName:"compute.networks.insert" OR protoPayload.methodName:"compute.networks.patch" '
     'OR protoPayload.methodName:"compute.networks.delete" OR protoPayload.methodName:"compute.networks.removePeering" OR '
     'protoPayload.methodName:"compute.networks.addPeering")',
     "New networks and peerings create paths around existing controls (CC7.2, CC6.6)."),
    ("route_changes", "VPC route changes", ["gce_route", "compute.routes.insert", "compute.routes.delete"],
     'resource.type="gce_route" AND (protoPayload.methodName:"compute.routes.delete" OR protoPayload.methodName:"compute.routes.insert")',
     "A changed route can send traffic through an attacker-controlled instance (CC7.2, CC6.6)."),
    ("sql_config_changes", "Cloud SQL configuration changes", ["cloudsql.instances.update"],
     'protoPayload.methodName="cloudsql.instances.update"',
     "Database settings hold TLS enforcement, authorized networks and backups; each change should be reviewed (CC7.2, CC8.1)."),
    ("bucket_iam_changes", "Cloud Storage IAM permission changes", ["gcs_bucket", "storage.setiampermissions"],
     'resource.type="gcs_bucket" AND protoPayload.methodName="storage.setIamPermissions"',
     "Making a bucket public is one IAM change; an alert catches it before the data is indexed (CC7.2, C1.1)."),
]


def _normal(text: str) -> str:
    return "".join(text.lower().split())


def promql_name(metric_type: str) -> str:
    """The PromQL name of a Cloud Monitoring metric: the first "/" becomes ":", every other character
    outside [A-Za-z0-9_] becomes "_" (logging.googleapis.com/user/fw-changes ->
    logging_googleapis_com:user_fw_changes)."""
    domain, _, path = metric_type.partition("/")
    return re.sub(r"\W", "_", domain) + ":" + re.sub(r"\W", "_", path)


def references(text: str, metric_type: str) -> bool:
    """Whether a condition's filter or query names the metric: its type as written in filters, MQL
    and PromQL's quoted UTF-8 form, or its PromQL name; a longer metric name sharing the prefix does
    not count."""
    if re.search(re.escape(metric_type) + r"(?![\w\-.+!*()%/])", text):
        return True
    return re.search(r"(?<![\w:])" + re.escape(promql_name(metric_type)) + r"(?![\w:])", text) is not None


_METRIC_RUN = re.compile(r"[\w\-.+!*()%/]+")  # what may follow a metric type without ending it
_PROMQL_RUN = re.compile(r"[\w:]+")


def first_alerting(metrics: list[LogMetric], policies: list[AlertPolicy]) -> tuple[str, str] | None:
    """The first (metric, policy) pair, metrics then policies in order, where the policy's condition
    references the metric as `references` decides."""
    return first_alerting_in(metrics, first_policies(metrics, policies))


def first_alerting_in(metrics: list[LogMetric], first_policy: dict[str, str]) -> tuple[str, str] | None:
    """The first of `metrics` (in order) that has a policy in `first_policy` (see first_policies), with it."""
    return next(((m.name, first_policy[m.metric_type]) for m in metrics if m.metric_type in first_policy), None)


def first_policies(metrics: list[LogMetric], policies: list[AlertPolicy]) -> dict[str, str]:
    """Each metric type some policy's condition references, with the first such policy (in order);
    found from each filter's tokens once instead of searching every filter for every metric (a
    metric type is referenced when it ends a run of metric-name characters, its PromQL name when it
    is a whole run of word characters and colons). A metric type's policy does not depend on the
    other metrics given."""
    types = {m.metric_type for m in metrics}
    by_length = group_by((t for t in types if _METRIC_RUN.fullmatch(t)), len)
    by_promql = group_by(types, promql_name)
    odd = [t for t in types if not _METRIC_RUN.fullmatch(t)]
    first_policy: dict[str, str] = {}
    for policy in policies:
        for text in policy.condition_filters:
            found = {t for t in odd if references(text, t)}
            for run in _METRIC_RUN.findall(text):
                found.update(run[-n:] for n in by_length if n <= len(run) and run[-n:] in types)
            for run in _PROMQL_RUN.findall(text):
                found.update(by_promql.get(run, ()))
            for metric_type in found:
                first_policy.setdefault(metric_type, policy.name)
    return first_policy


@per_inventory
def _policies_by_project(inv: GcpInventory) -> dict[str, list[AlertPolicy]]:
    return group_by(inv.monitoring.alert_policies, lambda policy: policy.account)


@per_inventory
def _metrics_by_project(inv: GcpInventory) -> dict[str, list[LogMetric]]:
    return group_by(inv.logging.metrics, lambda metric: metric.account)


@per_inventory_item(key=lambda project: project)
def _alerting_policies(inv: GcpInventory, project: str) -> dict[str, str]:
    """A project's log metrics' types with the first enabled policy alerting on each, worked out once
    for the eight checks (each asks about some of those metrics)."""
    policies = [p for p in _policies_by_project(inv).get(project, []) if p.enabled]
    return first_policies(_metrics_by_project(inv).get(project, []), policies)


def _register(suffix: str, phrase: str, needles: list[str], example: str, why: str) -> None:
    def alert_check(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
        for project in inv.resourcemanager.projects:
            policies = [p for p in _policies_by_project(inv).get(project.account, []) if p.enabled]
            metrics = [m for m in _metrics_by_project(inv).get(project.account, [])
                       if not m.disabled and all(n in _normal(m.filter) for n in needles)]
            alerting = first_alerting_in(metrics, _alerting_policies(inv, project.account))
            direct = [(p.name, c.kind) for p in policies for c in p.log_conditions if all(n in _normal(c.text) for n in needles)]
            if alerting:
                metric, policy = alerting
                yield Result.passed(project, f"log metric {metric} alerts through policy {policy!r}", metric=metric, alert_policy=policy)
            elif direct:
                policy, kind = direct[0]
                yield Result.passed(project, f"alerting policy {policy!r} matches {phrase} in its {kind} condition",
                                    alert_policy=policy, condition=kind)
            elif metrics:
                yield Result.failed(project, f"log metric {metrics[0].name} has no enabled alerting policy", metrics=[m.name for m in metrics])
            else:
                yield Result.failed(project, f"no log-based metric or log-matching alert catches {phrase}")

    alert_check.__name__ = alert_check.__qualname__ = f"alert_{suffix}"
    alert_check.__doc__ = why
    check(
        id=f"gcp.monitoring.alert_{suffix}",
        title=f"A log metric and alert watch {phrase}",
        severity=Severity.LOW,
        category=Category.LOGGING,
        resource_type="cloudresourcemanager.googleapis.com/Project",
        reads=["gcp.logging.metrics", "gcp.monitoring.alert_policies", "gcp.resourcemanager.projects"],
        remediation=f"Create a log-based metric with the filter {example} and an alerting policy on "
        "logging.googleapis.com/user/<metric> with a notification channel.",
    )(alert_check)


for _alert in ALERTS:
    _register(*_alert)
