"""Adapters: Terraform resource instances -> the typed inventory models the live collectors fill.

One adapter per collection key (`@adapter("aws.s3.buckets", ...)`), reading the Terraform types it
lists. Each model field is read through a `Fields` builder that remembers, per field, where it was
set (attribute or separate block), whether it holds a provider default (and which), or why it is
not known before apply; that record becomes the resource's `source` and drives UNKNOWN verdicts
and SARIF locations in the engine. Adapters never guess: an unknown value keeps its reason.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from scanner.models.common import Resource, ResourceSource, SourceSpan
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Computed, Unknown, contains_unknown, first_unknown

MISSING = object()


@dataclass(frozen=True)
class AdapterSpec:
    key: str
    func: Callable[[Context], Any]
    types: tuple[str, ...]
    facets: tuple[str, ...] = ()  # facets of the key the adapter fills (all of the model's facets by default)
    singleton: bool = False  # an account-wide setting: only known when the configuration declares it
    absent: str = ""  # why a singleton is not judged when no resource declares it


ADAPTERS: dict[str, AdapterSpec] = {}
IDENTITIES: dict[str, Callable[[Context, TfResource], dict[str, str]]] = {}
# Checks whose inputs are collected but whose question Terraform cannot answer, with the reason.
NOT_EXPRESSIBLE: dict[str, str] = {}
# Facets a live collector reads that Terraform does not declare (reads of them make a check NOT_APPLICABLE).
UNSUPPORTED_FACETS: dict[str, str] = {}


def adapter(
    key: str, types: Iterable[str], *, singleton: bool = False, absent: str = "", unsupported_facets: dict[str, str] | None = None
) -> Callable:
    def register(func: Callable) -> Callable:
        ADAPTERS[key] = AdapterSpec(key, func, tuple(types), singleton=singleton, absent=absent)
        for facet, reason in (unsupported_facets or {}).items():
            UNSUPPORTED_FACETS[f"{key}:{facet}"] = reason
        return func

    return register


def identity(*types: str) -> Callable:
    """How other resources refer to one of these types (`aws_kms_key.k.arn` -> the key's id in the inventory)."""

    def register(func: Callable) -> Callable:
        for name in types:
            IDENTITIES[name] = func
        return func

    return register


def not_expressible(check_id: str, reason: str) -> None:
    NOT_EXPRESSIBLE[check_id] = reason


_LOADED = False


def load_adapters() -> dict[str, AdapterSpec]:
    global _LOADED
    if not _LOADED:
        for info in pkgutil.iter_modules(__path__, prefix=f"{__name__}."):
            importlib.import_module(info.name)
        _LOADED = True
    return ADAPTERS


def expressible(spec: Any) -> str | None:
    """None when Terraform expresses every input of the check, else the reason it does not."""
    load_adapters()
    if spec.id in NOT_EXPRESSIBLE:
        return NOT_EXPRESSIBLE[spec.id]
    for read in spec.reads:
        key = read.split(":", 1)[0]
        if key not in ADAPTERS:
            return NOT_DECLARED.get(key) or f"Terraform does not declare what {key} holds: it is read from the live {spec.provider.upper()} account"
        if read in UNSUPPORTED_FACETS:
            return UNSUPPORTED_FACETS[read]
    return None


# Why some inputs exist only in the live account (shown as the NOT_APPLICABLE reason).
NOT_DECLARED = {
    "aws.iam.credential_report": "the IAM credential report (passwords, MFA devices, key use) is account activity, not configuration",
    "aws.iam.account_summary": "the root user's MFA and access keys are not managed by Terraform",
    "aws.iam.virtual_mfa_devices": "MFA devices are enrolled by people, not declared in Terraform",
    "aws.backup.protected_resources": "recovery points exist only once backups have run",
    "aws.ec2.snapshots": "snapshots are taken at run time (by AWS Backup, DLM or people), not declared",
    "aws.rds.db_snapshots": "snapshots are taken at run time, not declared",
    "aws.rds.db_cluster_snapshots": "snapshots are taken at run time, not declared",
    "aws.acm.certificates": "certificate expiry and key strength are known once the certificate is issued",
    "azure.entra.user_registrations": "MFA registration is done by each user, not declared",
    "azure.backup.protected_items": "recovery points exist only once backups have run",
    "gcp.compute.snapshots": "snapshots are taken at run time, not declared",
}


# -- what adapters work with ---------------------------------------------------------------------


class Context:
    """All resource instances of one provider, indexed by type and by (root, address)."""

    def __init__(self, provider: str, resources: list[TfResource], scope_of: Callable[[str], str], root_label: str = ".") -> None:
        self.provider = provider
        self.root_label = root_label  # the scanned root relative to the working directory
        self.by_type: dict[str, list[TfResource]] = {}
        self.by_address: dict[tuple[str, str], TfResource] = {}
        for tf in resources:
            self.by_type.setdefault(tf.type, []).append(tf)
            self.by_address[(tf.root, tf.address)] = tf
        self.scope_of = scope_of  # root module directory -> the scope (account) name findings carry
        self._identities: dict[tuple[str, str], dict[str, str]] = {}
        self._referrers: dict[tuple[tuple[str, ...], str], Any] = {}
        self._order: dict[tuple[str, ...], dict[int, int]] = {}

    def _referrer_index(self, types: tuple[str, ...], attribute: str) -> Any:
        key = (types, attribute)
        if key not in self._referrers:
            by_ref: dict[tuple[str, str], list[TfResource]] = {}
            unresolved: dict[str, list[TfResource]] = {}
            for tf in self.of_type(*types):
                value = tf.values.get(attribute)
                if isinstance(value, Computed) and (tf.root, value.address) in self.by_address:
                    by_ref.setdefault((tf.root, "@" + value.address), []).append(tf)
                elif isinstance(value, str):
                    by_ref.setdefault((tf.root, value), []).append(tf)
                elif isinstance(value, Unknown):  # names nothing declared here (a data source, a variable)
                    unresolved.setdefault(tf.root, []).append(tf)
            self._referrers[key] = (by_ref, unresolved)
        return self._referrers[key]

    def referrers(self, target: TfResource, types: tuple[str, ...], attribute: str, *names: str) -> list[TfResource]:
        """Resources of `types` whose `attribute` designates `target` (by reference, or by one of the
        target's identity values `names`), in declaration order. Indexed once per (types, attribute)."""
        by_ref, _ = self._referrer_index(types, attribute)
        found = list(by_ref.get((target.root, "@" + target.address), []))
        ident = self.identity_of(target)
        for name in names or tuple(ident):
            value = ident.get(name)
            if value is not None:
                found += [tf for tf in by_ref.get((target.root, value), []) if tf not in found]
        if len(found) > 1:
            order = self._order.get(types)
            if order is None:
                order = self._order[types] = {id(tf): i for i, tf in enumerate(self.of_type(*types))}
            found.sort(key=lambda tf: order.get(id(tf), 0))
        return found

    def unresolved_referrers(self, types: tuple[str, ...], attribute: str, root: str) -> list[TfResource]:
        """Resources of `types` in `root` whose `attribute` is unknown and names no declared resource."""
        _, unresolved = self._referrer_index(types, attribute)
        return unresolved.get(root, [])

    def of_type(self, *types: str) -> list[TfResource]:
        out: list[TfResource] = []
        for name in types:
            out.extend(self.by_type.get(name, []))
        return out

    def region(self, tf: TfResource) -> str:
        region = tf.provider.get("region")
        if isinstance(region, str) and region:
            return region
        return "unknown"

    def account(self, tf: TfResource) -> str:
        return self.scope_of(tf.root)

    def identity_of(self, tf: TfResource) -> dict[str, str]:
        key = (tf.root, tf.address)
        if key not in self._identities:
            func = IDENTITIES.get(tf.type)
            self._identities[key] = func(self, tf) if func else {}
        return self._identities[key]

    def referenced(self, tf: TfResource, value: Any) -> TfResource | None:
        """The declared resource a Computed value points at (same root module)."""
        if isinstance(value, Computed) and value.address:
            return self.by_address.get((tf.root, value.address))
        return None

    def ref(self, tf: TfResource, value: Any) -> Any:
        """A reference as the live inventory would spell it: a known string, or the declared target's
        identity (its id / ARN in this inventory); an Unknown when neither."""
        if value is None or isinstance(value, str):
            return value
        target = self.referenced(tf, value)
        if target is not None:
            attribute = value.attribute.split(".", 1)[0]
            ident = self.identity_of(target)
            if attribute in ident:
                return ident[attribute]
        return value

    def matches(self, tf: TfResource, value: Any, target: TfResource, *names: str) -> bool:
        """Whether `value` (e.g. a split S3 resource's `bucket`) designates `target`."""
        if isinstance(value, Computed):
            return value.address == target.address and tf.root == target.root
        if isinstance(value, str) and tf.root == target.root:
            ident = self.identity_of(target)
            return any(ident.get(n) == value for n in names) if names else value in ident.values()
        return False


def path_value(values: dict[str, Any], path: str) -> Any:
    """A dotted path into evaluated values; nested blocks are lists (the first block is read)."""
    node: Any = values
    for part in path.split("."):
        if isinstance(node, list):
            node = node[0] if node else None
        if isinstance(node, Unknown):
            return node
        if not isinstance(node, dict):
            return MISSING
        if part not in node:
            return MISSING
        node = node[part]
    return node


@dataclass
class Fields:
    """Reads Terraform values into model fields, recording where each came from."""

    ctx: Context
    tf: TfResource
    values: dict[str, Any] = field(default_factory=dict)
    spans: dict[str, SourceSpan] = field(default_factory=dict)
    unresolved: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def span(self, tf: TfResource, path: str | None) -> SourceSpan:
        lines = tf.lines.get(path) if path else None
        start, end = lines if lines else (tf.start_line, tf.end_line)
        return SourceSpan(file=tf.file, start_line=start, end_line=end, address=tf.address)

    def get(
        self,
        name: str,
        path: str | None = None,
        *,
        default: Any = None,
        note: str | None = None,
        convert: Callable[[Any], Any] | None = None,
        tf: TfResource | None = None,
        placeholder: Any = MISSING,
        ref: bool = False,
    ) -> Any:
        """Set model field `name` from attribute `path` of `tf` (default: this resource).

        Absent or null: `default`, with `note` recorded as the provider default it stands for.
        Unknown: the field is unresolved (with the attribute and reason) and holds `placeholder`
        (default: `default`) so the model stays valid."""
        source = tf or self.tf
        path = path or name
        raw = path_value(source.values, path)
        if ref:
            raw = self.ctx.ref(source, raw)
        if isinstance(raw, Unknown) and not getattr(convert, "accepts_unknown", False):
            return self.unknown(name, source, path, raw, default if placeholder is MISSING else placeholder)
        if raw is MISSING or raw is None:
            self.values[name] = default
            if note:
                self.defaults[name] = note
            if source is not self.tf:
                self.spans[name] = self.span(source, None)  # the separate block where it would be set
            return default
        value = raw
        if convert is not None:
            try:
                value = convert(raw)
            except (TypeError, ValueError) as exc:
                return self.unknown(name, source, path, Unknown((f"unexpected value {raw!r}: {exc}",)), default)
            if isinstance(value, Unknown):
                return self.unknown(name, source, path, value, default if placeholder is MISSING else placeholder)
        elif contains_unknown(value):
            inner = first_unknown(value)
            return self.unknown(name, source, path, inner, default if placeholder is MISSING else placeholder)
        self.values[name] = value
        self.spans[name] = self.span(source, path)
        return value

    def set(self, name: str, value: Any, *, tf: TfResource | None = None, path: str | None = None, note: str | None = None) -> Any:
        """Set a field computed by the adapter; located at `path` of `tf` when given."""
        self.values[name] = value
        if tf is not None:
            self.spans[name] = self.span(tf, path)
        if note:
            self.defaults[name] = note
        return value

    def unknown(self, name: str, tf: TfResource, path: str, value: Any, placeholder: Any) -> Any:
        reason = str(value) if isinstance(value, Unknown) else "not known before apply"
        self.unresolved[name] = f"{tf.address}.{path}: {reason}"
        self.values[name] = placeholder
        self.spans.setdefault(name, self.span(tf, path))
        return placeholder

    def build(self, model: type[Resource], *, id: str, name: str, **extra: Any) -> Resource:  # noqa: A002 - the model's field
        tf = self.tf
        source = ResourceSource(
            root=self.ctx.root_label,
            file=tf.file,
            start_line=tf.start_line,
            end_line=tf.end_line,
            address=tf.address,
            fields=self.spans,
            unresolved=self.unresolved,
            defaults=self.defaults,
        )
        return model(
            id=id, name=name, region=extra.pop("region", self.ctx.region(tf)), account=self.ctx.account(tf), source=source, **self.values, **extra
        )


def name_or_address(value: Any, tf: TfResource) -> str:
    """A resource's cloud name when the configuration fixes it, else its Terraform address."""
    return value if isinstance(value, str) and value else tf.address


def as_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("not a bool")


def as_int(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("not a number")
    return int(value)


def json_document(value: Any) -> Any:  # noqa: D417
    """A policy given as a JSON string (or jsonencode with unknown parts) as a dict.

    Unknown ARNs in Resource / NotResource / Sid do not change what a policy allows or to whom, so
    they become placeholders; an unknown effect, principal, action or condition makes the whole
    document unknown."""
    from scanner.sources.terraform.functions import PartialJson

    if isinstance(value, PartialJson):
        document = _placeholders(value.document)
        return document
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from exc
        return parsed
    raise ValueError("not a policy document")


json_document.accepts_unknown = True  # type: ignore[attr-defined]


_PLACEHOLDER_KEYS = {"Resource", "NotResource", "Sid"}


def _placeholders(document: Any, key: str | None = None) -> Any:
    if isinstance(document, Unknown):
        if key in _PLACEHOLDER_KEYS:
            return f"(known after apply: {document})"
        return document
    if isinstance(document, dict):
        out = {}
        for k, v in document.items():
            item = _placeholders(v, k if key not in _PLACEHOLDER_KEYS else key)
            if isinstance(item, Unknown):
                return item
            out[k] = item
        return out
    if isinstance(document, list):
        out_list = []
        for v in document:
            item = _placeholders(v, key)
            if isinstance(item, Unknown):
                return item
            out_list.append(item)
        return out_list
    return document
