"""Transcribe the Microsoft Graph v1.0 types the Entra collector's calls return into tests/graph_models.py.

No Graph SDK model is installed (msgraph-sdk is ~390 MB), so the Graph fixtures are held to this table
instead: the property names and types of each type, as @microsoft/microsoft-graph-types (the v1.0
typings Microsoft generates from the Graph metadata) declares them. Re-run after a new Graph call:

    npm pack @microsoft/microsoft-graph-types@2.43.1 && tar xzf microsoft-microsoft-graph-types-2.43.1.tgz
    python tests/record_graph_models.py package/microsoft-graph.d.ts > tests/graph_models.py

ROOTS names the type each Graph path of fixtures/azure/*/routes.json answers with (the test fails for a
path it does not name). Navigation properties to other entities are named but not walked: they appear
only with $expand, which the collector never asks for.
"""

from __future__ import annotations

import pprint
import re
import sys

ROOTS = {
    "/v1.0/identity/conditionalAccess/policies": "ConditionalAccessPolicy",
    "/v1.0/reports/authenticationMethods/userRegistrationDetails": "UserRegistrationDetails",
    "/v1.0/roleManagement/directory/roleAssignments": "UnifiedRoleAssignment",
    "/v1.0/policies/authorizationPolicy": "AuthorizationPolicy",
    "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy": "IdentitySecurityDefaultsEnforcementPolicy",
}
PRIMITIVES = {"string", "boolean", "number", "any"}


def read(source: str) -> tuple[dict[str, tuple[str | None, dict[str, str]]], dict[str, list[str]]]:
    interfaces = {}
    for m in re.finditer(r"^export interface (\w+)(?: extends (\w+))? \{(?:\}|\n(.*?)^\})", source, re.M | re.S):
        name, base, body = m.group(1), m.group(2), m.group(3) or ""
        interfaces[name] = (base, {p.strip('"'): t for p, t in re.findall(r"^    (\"?[@\w.]+\"?)\?: (.+?);$", body, re.M)})
    enums = {m.group(1): re.findall(r'"([^"]+)"', m.group(2)) for m in re.finditer(r"^export type (\w+) =(.*?);$", source, re.M | re.S)}
    return interfaces, enums


def transcribe(source: str) -> dict:
    interfaces, aliases = read(source)

    def chain(name: str) -> list[str]:
        out = [name]
        while interfaces[out[-1]][0]:
            out.append(interfaces[out[-1]][0])
        return out

    models: dict[str, dict[str, list]] = {}
    enums: dict[str, list[str]] = {}
    subtypes: dict[str, list[str]] = {}

    def resolve(name: str, root: bool) -> None:
        if name in models or name in enums or name in PRIMITIVES:
            return
        if name in aliases:
            enums[name] = aliases[name]
            return
        fields = {}
        for level in reversed(chain(name)):
            for prop, declared in interfaces[level][1].items():
                inner = re.sub(r"^NullableOption<(.+)>$", r"\1", declared.strip())
                many = inner.endswith("[]")
                inner = inner.removesuffix("[]")
                if inner in interfaces and "Entity" in chain(inner) and not root:
                    inner = "entity"
                fields[prop] = [inner, many]
        models[name] = fields
        if "Entity" not in chain(name):  # a complex type: the bodies may carry a subtype (@odata.type)
            found = sorted(n for n, (base, _) in interfaces.items() if base == name)
            if found:
                subtypes[name] = found
            for sub in found:
                resolve(sub, False)
        for inner, _ in fields.values():
            if inner != "entity":
                resolve(inner, False)

    for root in ROOTS.values():
        resolve(root, True)
    return {"ROOTS": ROOTS, "MODELS": models, "ENUMS": enums, "SUBTYPES": subtypes}


if __name__ == "__main__":
    tables = transcribe(open(sys.argv[1], encoding="utf-8").read())
    print('"""Microsoft Graph v1.0 types, transcribed by tests/record_graph_models.py from @microsoft/microsoft-graph-types')
    print('2.43.1 (MIT): property -> [type, is a collection]; "entity" is a navigation property (not walked). Do not edit."""')
    print()
    for name, value in tables.items():
        print(f"{name} = {pprint.pformat(value, width=120, sort_dicts=True)}")
        print()
