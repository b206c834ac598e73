"""Data sources whose result the configuration itself determines (policy documents)."""

from __future__ import annotations

import json
from typing import Any

from scanner.sources.terraform.values import Unknown, contains_unknown


def data_attribute(instance: Any, name: str) -> Any:
    decl = instance.node.decl
    if decl.type == "aws_iam_policy_document" and name in ("json", "minified_json"):
        document = policy_document(instance)
        if isinstance(document, Unknown):
            return document
        if contains_unknown(document):
            from scanner.sources.terraform.functions import PartialJson

            return PartialJson(document)
        return json.dumps(document, indent=None if name == "minified_json" else 2)
    if decl.type == "aws_partition" and name == "partition":
        return None
    return None


def _listify(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def policy_document(instance: Any) -> Any:
    """An aws_iam_policy_document's JSON, built the way the provider renders it."""
    document: dict[str, Any] = {"Version": instance.get_attr("version") if "version" in instance.node.decl.block.attributes else "2012-10-17"}
    sources = []
    for attribute in ("source_policy_documents", "override_policy_documents"):
        if attribute in instance.node.decl.block.attributes:
            sources.append(instance.get_attr(attribute))
    statements = instance.get_attr("statement") if any(b.type in ("statement", "dynamic") for b in instance.node.decl.block.blocks) else []
    if isinstance(statements, Unknown):
        return statements
    rendered = []
    for statement in statements:
        item: dict[str, Any] = {}
        if statement.get("sid"):
            item["Sid"] = statement["sid"]
        item["Effect"] = statement.get("effect") or "Allow"
        for key, field in (("Action", "actions"), ("NotAction", "not_actions"), ("Resource", "resources"), ("NotResource", "not_resources")):
            value = statement.get(field)
            if value:
                item[key] = _listify(sorted(value) if isinstance(value, list) and not contains_unknown(value) else value)
        for key, field in (("Principal", "principals"), ("NotPrincipal", "not_principals")):
            blocks = statement.get(field) or []
            if isinstance(blocks, Unknown):
                item[key] = blocks
                continue
            if blocks:
                principals: dict[str, Any] = {}
                for block in blocks:
                    kind = block.get("type")
                    ids = block.get("identifiers")
                    if kind == "*":
                        principals = "*"  # type: ignore[assignment]
                        break
                    principals[kind] = _listify(ids)
                item[key] = principals
        conditions = statement.get("condition") or []
        if isinstance(conditions, Unknown):
            item["Condition"] = conditions
        elif conditions:
            condition: dict[str, Any] = {}
            for block in conditions:
                condition.setdefault(block.get("test"), {})[block.get("variable")] = _listify(block.get("values"))
            item["Condition"] = condition
        rendered.append(item)
    for source in sources:
        if isinstance(source, Unknown):
            return source
    merged: list[Any] = []
    for source_list in sources[:1]:
        for text in source_list or []:
            try:
                merged.extend(json.loads(text).get("Statement", []))
            except (TypeError, ValueError, AttributeError):
                return Unknown(("source_policy_documents is not a JSON policy",))
    document["Statement"] = merged + rendered
    return document
