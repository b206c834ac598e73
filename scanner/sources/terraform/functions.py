"""Terraform's built-in functions that configurations use to build the settings checks read.

Arguments arrive evaluated; an unknown argument makes the result unknown before the function is
called (except for the few marked `accepts_unknown`). Functions whose result only exists at apply
time (timestamp, uuid) return UNKNOWN_RESULT; functions not listed here make the value unknown
with their name, never a guess.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Callable
from typing import Any

from scanner.sources.terraform.values import EvaluationError, Unknown, to_string, type_name

UNKNOWN_RESULT = object()
FUNCTIONS: dict[str, Callable[..., Any]] = {}


def function(name: str, accepts_unknown: bool = False) -> Callable:
    def register(func: Callable) -> Callable:
        func.accepts_unknown = accepts_unknown  # type: ignore[attr-defined]
        FUNCTIONS[name] = func
        return func

    return register


def _list(value: Any, name: str) -> list:
    if isinstance(value, list):
        return value
    if value is None:
        raise EvaluationError(f"{name}(): argument must not be null")
    raise EvaluationError(f"{name}(): expected a list, got {type_name(value)}")


def _json_ready(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    return value


@function("jsonencode", accepts_unknown=True)
def jsonencode(value: Any) -> Any:
    from scanner.sources.terraform.values import contains_unknown

    if contains_unknown(value):
        return PartialJson(value)
    return json.dumps(_json_ready(value), separators=(",", ":"), sort_keys=True)


class PartialJson(Unknown):
    """jsonencode() of a document with unknown parts: unknown as a string, but its structure
    (a policy's effects, principals and conditions) is still there for an adapter to read."""

    def __init__(self, document: Any) -> None:
        from scanner.sources.terraform.values import first_unknown

        inner = first_unknown(document)
        super().__init__(inner.reasons if inner else ("jsonencode of unknown values",))
        object.__setattr__(self, "document", document)

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


@function("jsondecode")
def jsondecode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise EvaluationError(f"jsondecode(): {exc}") from exc


@function("yamldecode")
def yamldecode(text: str) -> Any:
    import yaml

    return yaml.safe_load(text)


@function("yamlencode")
def yamlencode(value: Any) -> Any:
    import yaml

    return yaml.safe_dump(value, sort_keys=True)


@function("merge", accepts_unknown=True)
def merge(*maps: Any) -> Any:
    out: dict = {}
    for item in maps:
        if isinstance(item, Unknown):
            return item
        if item is None:
            continue
        if not isinstance(item, dict):
            raise EvaluationError(f"merge(): arguments must be maps or objects, got {type_name(item)}")
        out.update(item)
    return out


@function("lookup", accepts_unknown=True)
def lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if isinstance(mapping, Unknown):
        return mapping
    if isinstance(key, Unknown):
        return key
    if not isinstance(mapping, dict):
        raise EvaluationError("lookup(): first argument must be a map")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise EvaluationError(f"lookup(): no key {key!r} and no default")


@function("concat")
def concat(*lists: Any) -> list:
    out: list = []
    for item in lists:
        out.extend(_list(item, "concat"))
    return out


@function("length")
def length(value: Any) -> int:
    if isinstance(value, (list, dict, str)):
        return len(value)
    raise EvaluationError(f"length(): cannot take the length of {type_name(value)}")


@function("lower")
def lower(text: str) -> str:
    return to_string(text).lower()


@function("upper")
def upper(text: str) -> str:
    return to_string(text).upper()


@function("title")
def title(text: str) -> str:
    return to_string(text).title()


_FORMAT_VERB = re.compile(r"%(?:%|[-+ #0]*\d*(?:\.\d+)?[sdfqvtbeEgGxXo])")


@function("format")
def format_(spec: str, *args: Any) -> str:
    values = iter(args)

    def replace(match: re.Match) -> str:
        verb = match.group(0)
        if verb == "%%":
            return "%"
        try:
            value = next(values)
        except StopIteration as exc:
            raise EvaluationError("format(): not enough arguments") from exc
        kind = verb[-1]
        if kind in "sv":
            text = json.dumps(value) if isinstance(value, (list, dict)) else to_string(value)
            return ("%" + verb[1:-1] + "s") % text
        if kind == "q":
            return json.dumps(to_string(value))
        if kind == "t":
            return "true" if value else "false"
        if kind in "dxXo":
            return ("%" + verb[1:]) % int(value)
        if kind == "b":
            return format(int(value), verb[1:-1] + "b")
        return ("%" + verb[1:]) % float(value)

    return _FORMAT_VERB.sub(replace, spec)


@function("formatlist")
def formatlist(spec: str, *args: Any) -> list:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise EvaluationError("formatlist(): list arguments differ in length")
    count = lengths.pop() if lengths else 1
    return [format_(spec, *[a[i] if isinstance(a, list) else a for a in args]) for i in range(count)]


@function("join")
def join(separator: str, *lists: Any) -> str:
    items: list = []
    for item in lists:
        items.extend(_list(item, "join"))
    return separator.join(to_string(i) for i in items)


@function("split")
def split(separator: str, text: str) -> list:
    return to_string(text).split(separator) if text != "" else [""]


@function("replace")
def replace(text: str, search: str, replacement: str) -> str:
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        return re.sub(search[1:-1], re.sub(r"\$(\d+)", r"\\\1", replacement), text)
    return to_string(text).replace(search, replacement)


@function("regex")
def regex(pattern: str, text: str) -> Any:
    match = re.search(pattern, text)
    if not match:
        raise EvaluationError("regex(): no match")
    if match.groupdict():
        return match.groupdict()
    if match.groups():
        return list(match.groups())
    return match.group(0)


@function("regexall")
def regexall(pattern: str, text: str) -> list:
    return [m.group(0) if not m.groups() else list(m.groups()) for m in re.finditer(pattern, text)]


@function("substr")
def substr(text: str, offset: int, length_: int) -> str:
    text = to_string(text)
    start = int(offset) if offset >= 0 else len(text) + int(offset)
    return text[start:] if length_ < 0 else text[start : start + int(length_)]


@function("trimspace")
def trimspace(text: str) -> str:
    return to_string(text).strip()


@function("trim")
def trim(text: str, chars: str) -> str:
    return to_string(text).strip(chars)


@function("trimprefix")
def trimprefix(text: str, prefix: str) -> str:
    return to_string(text).removeprefix(prefix)


@function("trimsuffix")
def trimsuffix(text: str, suffix: str) -> str:
    return to_string(text).removesuffix(suffix)


@function("startswith")
def startswith(text: str, prefix: str) -> bool:
    return to_string(text).startswith(prefix)


@function("endswith")
def endswith(text: str, suffix: str) -> bool:
    return to_string(text).endswith(suffix)


@function("strcontains")
def strcontains(text: str, part: str) -> bool:
    return part in to_string(text)


@function("chomp")
def chomp(text: str) -> str:
    return to_string(text).rstrip("\r\n")


@function("indent")
def indent(spaces: int, text: str) -> str:
    return to_string(text).replace("\n", "\n" + " " * int(spaces))


@function("tostring")
def tostring(value: Any) -> Any:
    return None if value is None else to_string(value)


@function("tonumber")
def tonumber(value: Any) -> Any:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise EvaluationError(f"tonumber(): cannot convert {value!r}") from exc


@function("tobool")
def tobool(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise EvaluationError(f"tobool(): cannot convert {value!r}")


@function("tolist")
def tolist(value: Any) -> Any:
    return value if value is None else list(_list(value, "tolist"))


@function("toset")
def toset(value: Any) -> Any:
    if value is None:
        return None
    out: list = []
    for item in _list(value, "toset"):
        if item not in out:
            out.append(item)
    try:
        return sorted(out)
    except TypeError:
        return out


@function("tomap")
def tomap(value: Any) -> Any:
    if value is None or isinstance(value, dict):
        return value
    raise EvaluationError("tomap(): expected a map")


@function("coalesce")
def coalesce(*values: Any) -> Any:
    for value in values:
        if value is not None and value != "":
            return value
    raise EvaluationError("coalesce(): no non-null argument")


@function("coalescelist")
def coalescelist(*values: Any) -> Any:
    for value in values:
        if value:
            return value
    raise EvaluationError("coalescelist(): no non-empty list")


@function("element")
def element(items: list, index: int) -> Any:
    items = _list(items, "element")
    if not items:
        raise EvaluationError("element(): empty list")
    return items[int(index) % len(items)]


@function("index")
def index_(items: list, value: Any) -> int:
    try:
        return _list(items, "index").index(value)
    except ValueError as exc:
        raise EvaluationError("index(): value not in list") from exc


@function("contains")
def contains(items: list, value: Any) -> bool:
    return value in _list(items, "contains")


@function("keys")
def keys(mapping: dict) -> list:
    return sorted(mapping)


@function("values")
def values(mapping: dict) -> list:
    return [mapping[k] for k in sorted(mapping)]


@function("flatten")
def flatten(items: list) -> list:
    out: list = []
    for item in _list(items, "flatten"):
        out.extend(flatten(item) if isinstance(item, list) else [item])
    return out


@function("distinct")
def distinct(items: list) -> list:
    out: list = []
    for item in _list(items, "distinct"):
        if item not in out:
            out.append(item)
    return out


@function("compact")
def compact(items: list) -> list:
    return [i for i in _list(items, "compact") if i is not None and i != ""]


@function("zipmap")
def zipmap(keys_: list, values_: list) -> dict:
    return dict(zip((to_string(k) for k in keys_), values_, strict=True))


@function("slice")
def slice_(items: list, start: int, end: int) -> list:
    return _list(items, "slice")[int(start) : int(end)]


@function("reverse")
def reverse(items: list) -> list:
    return list(reversed(_list(items, "reverse")))


@function("sort")
def sort(items: list) -> list:
    return sorted(to_string(i) for i in _list(items, "sort"))


@function("range")
def range_(*args: Any) -> list:
    numbers = [int(a) for a in args]
    return list(range(*numbers))


@function("one")
def one(items: Any) -> Any:
    items = _list(items, "one")
    if len(items) > 1:
        raise EvaluationError("one(): more than one element")
    return items[0] if items else None


@function("setunion")
def setunion(*sets: Any) -> list:
    out: list = []
    for item in sets:
        for value in _list(item, "setunion"):
            if value not in out:
                out.append(value)
    return out


@function("setintersection")
def setintersection(first: list, *others: Any) -> list:
    return [v for v in _list(first, "setintersection") if all(v in o for o in others)]


@function("setsubtract")
def setsubtract(first: list, second: list) -> list:
    return [v for v in _list(first, "setsubtract") if v not in second]


@function("alltrue")
def alltrue(items: list) -> bool:
    return all(i is True or i == "true" for i in _list(items, "alltrue"))


@function("anytrue")
def anytrue(items: list) -> bool:
    return any(i is True or i == "true" for i in _list(items, "anytrue"))


@function("min")
def min_(*numbers: Any) -> Any:
    return min(numbers)


@function("max")
def max_(*numbers: Any) -> Any:
    return max(numbers)


@function("abs")
def abs_(number: Any) -> Any:
    return abs(number)


@function("ceil")
def ceil(number: Any) -> int:
    return math.ceil(number)


@function("floor")
def floor(number: Any) -> int:
    return math.floor(number)


@function("pow")
def pow_(base: Any, exponent: Any) -> Any:
    return base**exponent


@function("parseint")
def parseint(text: str, base_: int) -> int:
    return int(text, int(base_))


@function("base64encode")
def base64encode(text: str) -> str:
    return base64.b64encode(to_string(text).encode()).decode()


@function("base64decode")
def base64decode(text: str) -> str:
    return base64.b64decode(text).decode()


@function("md5")
def md5(text: str) -> str:
    return hashlib.md5(to_string(text).encode(), usedforsecurity=False).hexdigest()


@function("sha1")
def sha1(text: str) -> str:
    return hashlib.sha1(to_string(text).encode(), usedforsecurity=False).hexdigest()


@function("sha256")
def sha256(text: str) -> str:
    return hashlib.sha256(to_string(text).encode()).hexdigest()


@function("transpose")
def transpose(mapping: dict) -> dict:
    out: dict[str, list] = {}
    for key, items in sorted(mapping.items()):
        for item in items:
            out.setdefault(item, []).append(key)
    return out


for _name in ("timestamp", "uuid", "bcrypt", "plantimestamp", "uuidv5"):
    FUNCTIONS[_name] = lambda *args: UNKNOWN_RESULT  # noqa: E731 - known only when applied
    FUNCTIONS[_name].accepts_unknown = False  # type: ignore[attr-defined]
