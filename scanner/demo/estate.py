"""A synthetic estate: a collected snapshot's resources replicated, with distinct ids, across many scopes.

`bench/eval_bench.py` measures evaluation on estates of 10k to 1M resources built this way from the
demo snapshots (`trustscan demo --provider X --snapshot ...`), and the linearity test counts what
checks read on them. The shapes are the collected ones, field for field; only names change:

- inside a scope, each copy of a resource gets a suffix on every name it is known by (its `name` and
  the last segment of its `id`), wherever that name appears in the copy (ids, ARNs, references from
  other resources of the copy), so references resolve within each copy as they did in the original;
- each member scope (account / subscription / project) of the template is cloned under new scope
  ids; the organization scope, if any, is kept once.

Keys that hold one resource per region or scope (a password policy, the regional Config recorder,
a project's metadata) are not copied inside a scope unless `singletons=True` (the linearity test
copies them too, so a check that relates them to other resources shows its cost).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

# One resource per region / scope in a real estate.
SINGLETON_KEYS = frozenset(
    {
        "aws.accessanalyzer.regions",
        "aws.config.recording",
        "aws.ec2.ebs_encryption_by_default",
        "aws.guardduty.regions",
        "aws.securityhub.hubs",
        "aws.ssoadmin.instances",
        "azure.monitor.activity_log",
        "azure.monitor.activity_log_alerts",
        "azure.security.contacts",
        "azure.security.pricings",
        "gcp.compute.project_metadata",
        "gcp.resourcemanager.projects",
        "gcp.serviceusage.enabled_services",
    }
)
MIN_TOKEN = 4  # shorter names ("1", "Api") are not renamed: too likely to occur by chance
_SEGMENTS = re.compile(r"[/:]")


def resource_lists(scope: dict[str, Any], provider: str) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(collection key, resources) for every list of resources in a scope's JSON."""
    for service, section in sorted((scope.get(provider) or {}).items()):
        if not isinstance(section, dict):
            continue
        for attribute, value in sorted(section.items()):
            if isinstance(value, list) and value and isinstance(value[0], dict) and "id" in value[0]:
                yield f"{provider}.{service}.{attribute}", value


def count_resources(scope: dict[str, Any], provider: str) -> int:
    return sum(len(items) for _, items in resource_lists(scope, provider))


def _names(resource: dict[str, Any]) -> set[str]:
    names = {resource.get("name") or ""}
    names.add(_SEGMENTS.split(resource.get("id") or "")[-1])
    return names


def _alternation(tokens: set[str]) -> re.Pattern[str] | None:
    if not tokens:
        return None
    ordered = sorted(tokens, key=lambda t: (-len(t), t))  # the longest name wins where two start together
    return re.compile(r"(?<![\w.-])(?:" + "|".join(map(re.escape, ordered)) + r")(?![\w-])", re.IGNORECASE)


@dataclass
class ScopeTemplate:
    """One member scope of the template snapshot, ready to be copied `copies` times and cloned."""

    provider: str
    data: dict[str, Any]  # the scope's JSON
    copies: int
    singletons: bool = False

    @property
    def scope_id(self) -> str:
        return self.data["metadata"]["identity"]["account"]

    def replicated(self, key: str) -> bool:
        return self.singletons or key not in SINGLETON_KEYS

    @cached_property
    def resources(self) -> int:
        """Resources in one clone of this scope (its copies included)."""
        return sum(len(items) * (self.copies if self.replicated(key) else 1) for key, items in resource_lists(self.data, self.provider))

    @cached_property
    def text(self) -> str:
        """The scope's JSON with every replicated list holding `copies` renamed copies of its resources."""
        protected = {self.scope_id, "global", *self.data["metadata"].get("regions", ())}
        if self.data["metadata"].get("organization"):
            protected.add(self.data["metadata"]["organization"])
        tokens = {
            name
            for key, items in resource_lists(self.data, self.provider)
            if self.replicated(key)
            for resource in items
            for name in _names(resource)
            if len(name) >= MIN_TOKEN and name not in protected
        }
        pattern = _alternation(tokens)
        data = json.loads(json.dumps(self.data))
        for key, items in resource_lists(data, self.provider):
            if not self.replicated(key) or self.copies <= 1:
                continue
            original = json.dumps(items)
            grown = list(items)
            for copy in range(1, self.copies):
                suffix = f"-c{copy:03d}"
                text = pattern.sub(lambda m: m.group(0) + suffix, original) if pattern else original
                grown.extend(json.loads(text))
            _, service, attribute = key.split(".", 2)
            data[self.provider][service][attribute] = grown
        return json.dumps(data, sort_keys=True)

    @cached_property
    def _scope_pattern(self) -> re.Pattern[str]:
        return re.compile(r"(?<![\w-])" + re.escape(self.scope_id) + r"(?![\w-])", re.IGNORECASE)

    def clone(self, scope_id: str) -> str:
        """This scope's JSON under another scope id."""
        return self._scope_pattern.sub(scope_id, self.text)

    @cached_property
    def indented(self) -> str:
        """`text` laid out as a scope of a snapshot file (scanner.snapshot.dump_snapshot: indent 1, nested once)."""
        return json.dumps(json.loads(self.text), indent=1, sort_keys=True, ensure_ascii=False).replace("\n", "\n  ")

    def clone_indented(self, scope_id: str) -> str:
        """`clone` as laid out in a snapshot file (the id replaced in the laid-out text: one pass, no re-encoding)."""
        return self._scope_pattern.sub(scope_id, self.indented)


def clone_id(provider: str, template_id: str, number: int) -> str:
    """A distinct scope id of the provider's shape for clone `number` of a template scope."""
    if provider == "aws":
        return f"{900000000000 + number:012d}"
    if provider == "azure":
        return f"{number:08x}-{template_id[9:]}"  # a subscription GUID: the clone number in the first group
    return f"{template_id}-{number:05d}"[:30]  # a GCP project id (at most 30 characters)


class Estate:
    """An estate of about `resources` resources (or of `scopes` member scopes) from a template snapshot's JSON (schema "2").

    Member scopes are cloned round robin from the template's members, each holding `copies` copies
    of its template's resources; the organization scope (if any) is kept once, in id order.
    """

    def __init__(
        self, snapshot: dict[str, Any], resources: int = 0, copies: int = 30, *, scopes: int | None = None, singletons: bool = False
    ) -> None:
        if snapshot.get("schema_version") != "2":
            raise ValueError("the template must be a schema-2 snapshot (trustscan demo --snapshot)")
        self.metadata = dict(snapshot["metadata"])
        self.provider = self.metadata["provider"]
        template_scopes = snapshot["scopes"]
        self.organization = next((s for s in template_scopes if s["metadata"].get("scope_kind") == "organization"), None)
        self.templates = [
            ScopeTemplate(self.provider, s, copies, singletons) for s in template_scopes if s["metadata"].get("scope_kind") != "organization"
        ]
        fixed = count_resources(self.organization, self.provider) if self.organization else 0
        per_round = sum(t.resources for t in self.templates)
        wanted = max(resources - fixed, 1)
        count = scopes if scopes is not None else max(1, round(wanted * len(self.templates) / per_round))
        self.members = [
            (clone_id(self.provider, self.templates[i % len(self.templates)].scope_id, i), self.templates[i % len(self.templates)])
            for i in range(count)
        ]
        self.members.sort(key=lambda m: m[0])
        self.resources = fixed + sum(t.resources for _, t in self.members)

    def scope_ids(self) -> list[str]:
        ids = [scope_id for scope_id, _ in self.members]
        if self.organization is not None:
            ids.append(self.organization["metadata"]["identity"]["account"])
        return sorted(ids)

    def snapshot_metadata(self) -> dict[str, Any]:
        meta = dict(self.metadata, plan=None, shard=None)
        if self.provider == "aws":
            meta["identity"] = dict(meta["identity"], account=self.members[0][0])
        return meta

    def scope_texts(self) -> Iterator[str]:
        """Each scope's JSON, in scope id order (as a snapshot lists them)."""
        org = self.organization
        return self._in_scope_order(json.dumps(org, sort_keys=True) if org else None, lambda template, scope_id: template.clone(scope_id))

    def write(self, path: str) -> None:
        """The estate as a snapshot file (what `trustscan collect` writes: indented, keys sorted), scope by scope."""
        with open(path, "w", encoding="utf-8") as handle:
            meta = json.dumps(self.snapshot_metadata(), indent=1, sort_keys=True, ensure_ascii=False).replace("\n", "\n ")
            handle.write('{\n "metadata": ' + meta + ',\n "schema_version": "2",\n "scopes": [')
            for i, body in enumerate(self._indented_scopes()):
                handle.write(("," if i else "") + "\n  " + body)
            handle.write("\n ]\n}\n")

    def _indented_scopes(self) -> Iterator[str]:
        """`scope_texts` laid out as in a snapshot file."""
        org = self.organization
        org_text = json.dumps(org, indent=1, sort_keys=True, ensure_ascii=False).replace("\n", "\n  ") if org else None
        return self._in_scope_order(org_text, lambda template, scope_id: template.clone_indented(scope_id))

    def _in_scope_order(self, org_text: str | None, member_text: Callable[[Any, str], str]) -> Iterator[str]:
        """The members' texts with the organization's (when there is one) in its place by scope id."""
        org_id = self.organization["metadata"]["identity"]["account"] if self.organization else None
        for scope_id, template in self.members:
            if org_text is not None and org_id is not None and org_id < scope_id:
                yield org_text
                org_text = None
            yield member_text(template, scope_id)
        if org_text is not None:
            yield org_text

    def snapshot(self) -> Any:
        """The estate as a `Snapshot` in memory (small estates: tests)."""
        from scanner.models.inventory import Inventory, Snapshot, SnapshotMetadata

        scopes = [Inventory.model_validate_json(text) for text in self.scope_texts()]
        return Snapshot(metadata=SnapshotMetadata.model_validate(self.snapshot_metadata()), scopes=scopes)

    def flat_inventory(self) -> Any:
        """Every scope of the estate in ONE inventory, as schema-1 snapshots held an Azure tenant or a GCP
        organization (`scope_field` "account", evaluated as one scope)."""
        from scanner.models.inventory import Inventory

        scopes = [json.loads(text) for text in self.scope_texts()]
        merged: dict[str, Any] = {}
        for scope in scopes:
            for service, section in (scope.get(self.provider) or {}).items():
                target = merged.setdefault(service, {})
                for attribute, value in (section or {}).items():
                    if isinstance(value, list):
                        target.setdefault(attribute, []).extend(value)
                    elif value is not None:
                        target[attribute] = value
        members = [s["metadata"]["identity"]["account"] for s in scopes if s["metadata"].get("scope_kind") != "organization"]
        first = scopes[0]["metadata"]
        metadata = dict(first, scope_kind=None, scope_name=None, scope_field="account", scopes=members,
                        identity=dict(first["identity"], account=self.metadata.get("organization") or members[0]))
        return Inventory.model_validate(
            {"metadata": metadata, "coverage": [c for s in scopes for c in s["coverage"]], self.provider: merged}
        )

    def shard_texts(self, count: int, parameters: dict[str, dict[str, Any]] | None = None) -> Iterator[tuple[dict[str, Any], list[str]]]:
        """The estate as `count` shards of one scan (what `scan --shard K/N` writes), one at a time:
        (the shard snapshot's metadata, its scopes' JSON). `parameters`: the checks' resolved
        parameters, as the plan records them."""
        from scanner.engine.plan import build_plan, shard_scopes
        from scanner.models.inventory import ScopeRef

        refs = [
            ScopeRef(provider=self.provider, kind=template.data["metadata"]["scope_kind"], id=scope_id,
                     regions=tuple(template.data["metadata"].get("regions", ())) if self.provider == "aws" else ())
            for scope_id, template in self.members
        ]
        if self.organization is not None:
            refs.append(ScopeRef(provider=self.provider, kind="organization", id=self.organization["metadata"]["identity"]["account"]))
        plan = build_plan(provider=self.provider, organization=self.metadata.get("organization"), checks=list(self.metadata.get("checks", [])),
                          parameters=parameters or {}, scopes=refs, shard_count=count, options={})
        templates = dict(self.members)
        for index in range(1, count + 1):
            mine = sorted(ref.id for ref in shard_scopes(plan, index))
            metadata = dict(self.snapshot_metadata(), plan=plan.model_dump(mode="json"),
                            shard={"index": index, "count": count, "scopes": mine})
            texts = [templates[scope_id].clone(scope_id) if scope_id in templates else json.dumps(self.organization, sort_keys=True)
                     for scope_id in mine]
            yield metadata, texts
