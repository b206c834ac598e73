"""Evaluate parsed Terraform expressions against a scope (variables, locals, resources, modules).

The scope resolves root names (`var`, `local`, `aws_s3_bucket`, `each`, a for-expression's
variable ...) to values or to lazy namespaces with a `get_attr` method. Unknown values spread;
what Terraform would reject is an EvaluationError that the caller turns into an unknown attribute.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from scanner.sources.terraform.functions import FUNCTIONS, UNKNOWN_RESULT
from scanner.sources.terraform.values import Computed, EvaluationError, Unknown, merge_unknowns, to_string, type_name, unknown


class Lazy:
    """A value resolved attribute by attribute (a namespace such as `var`, a resource instance)."""

    def get_attr(self, name: str) -> Any:
        raise NotImplementedError

    def materialize(self) -> Any:
        raise NotImplementedError


class Scope:
    """Name lookup: a root resolver plus the variables bound by for-expressions and iterators."""

    __slots__ = ("resolver", "bindings", "functions")

    def __init__(
        self,
        resolver: Callable[[str], Any],
        bindings: dict[str, Any] | None = None,
        functions: dict[str, Callable[..., Any]] | None = None,
    ) -> None:
        self.resolver = resolver
        self.bindings = bindings or {}
        self.functions = functions or {}  # file(), templatefile(): bound to the module's directory

    def get(self, name: str) -> Any:
        if name in self.bindings:
            return self.bindings[name]
        return self.resolver(name)

    def bind(self, values: dict[str, Any]) -> Scope:
        return Scope(self.resolver, {**self.bindings, **values}, self.functions)


def materialize(value: Any) -> Any:
    """Namespaces resolved to plain values; resource instances stay lazy (their computed attributes
    are only known through get_attr)."""
    if getattr(value, "keep_lazy", False):
        return value
    if isinstance(value, Lazy):
        return materialize(value.materialize())
    if isinstance(value, list):
        return [materialize(v) for v in value]
    if isinstance(value, dict):
        return {k: materialize(v) for k, v in value.items()}
    return value


def get_attr(value: Any, name: str) -> Any:
    if isinstance(value, Lazy):
        return value.get_attr(name)
    if isinstance(value, Computed):
        return Computed(value.reasons, value.address, f"{value.attribute}.{name}")
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        if name in value:
            return value[name]
        raise EvaluationError(f"object has no attribute {name!r}")
    if value is None:
        raise EvaluationError(f"attempt to get attribute {name!r} from a null value")
    raise EvaluationError(f"a {type_name(value)} value has no attribute {name!r}")


def get_index(value: Any, key: Any) -> Any:
    if isinstance(key, Unknown):
        return key if not isinstance(value, Unknown) else merge_unknowns([value, key])
    if isinstance(value, Lazy):
        value = value.materialize()
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        if isinstance(key, str) and key.lstrip("-").isdigit():
            key = int(key)
        if not isinstance(key, (int, float)) or isinstance(key, bool):
            raise EvaluationError(f"a list index must be a number, not {type_name(key)}")
        index = int(key)
        if index < 0 or index >= len(value):
            raise EvaluationError(f"index {index} out of range for a list of {len(value)}")
        return value[index]
    if isinstance(value, dict):
        key = to_string(key)
        if key not in value:
            raise EvaluationError(f"no element with key {key!r}")
        return value[key]
    if value is None:
        raise EvaluationError("cannot index a null value")
    raise EvaluationError(f"cannot index a {type_name(value)} value")


def evaluate(expr: tuple, scope: Scope) -> Any:
    return _EVAL[expr[0]](expr, scope)


def _lit(expr: tuple, scope: Scope) -> Any:
    return expr[1]


def _paren(expr: tuple, scope: Scope) -> Any:
    return evaluate(expr[1], scope)


def _ref(expr: tuple, scope: Scope) -> Any:
    return scope.get(expr[1])


def _attr(expr: tuple, scope: Scope) -> Any:
    return get_attr(evaluate(expr[1], scope), expr[2])


def _index(expr: tuple, scope: Scope) -> Any:
    return get_index(evaluate(expr[1], scope), materialize(evaluate(expr[2], scope)))


def _splat(expr: tuple, scope: Scope) -> Any:
    base = evaluate(expr[1], scope)
    if isinstance(base, Lazy):
        base = base.materialize()
    if isinstance(base, Unknown):
        return base
    if base is None:
        return []
    out = []
    for item in base if isinstance(base, list) else [base]:
        value = item
        for op in expr[2]:
            value = _apply_traversal(value, op, scope)
        out.append(materialize(value))
    return out


def _apply_traversal(value: Any, op: tuple, scope: Scope) -> Any:
    if op[0] == "attr":
        return get_attr(value, op[2])
    if op[0] == "index":
        return get_index(value, materialize(evaluate(op[2], scope)))
    raise EvaluationError(f"unsupported splat traversal {op[0]}")


def _template_single(expr: tuple, scope: Scope) -> Any:
    return materialize(evaluate(expr[1], scope))


def _render(parts: tuple, scope: Scope, out: list[str], unknowns: list[Any]) -> None:
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        kind = part[0]
        if kind == "if":
            test = materialize(evaluate(part[1], scope))
            if isinstance(test, Unknown):
                unknowns.append(test)
                continue
            _render(part[2] if _truth(test) else part[3], scope, out, unknowns)
        elif kind == "for":
            collection = materialize(evaluate(part[3], scope))
            if isinstance(collection, Unknown):
                unknowns.append(collection)
                continue
            for key, item in _pairs(collection):
                bound = {part[2]: item}
                if part[1]:
                    bound[part[1]] = key
                _render(part[4], scope.bind(bound), out, unknowns)
        else:
            value = materialize(evaluate(part, scope))
            if isinstance(value, Unknown):
                unknowns.append(value)
                continue
            if value is None:
                raise EvaluationError("cannot interpolate a null value")
            out.append(to_string(value))


def _template(expr: tuple, scope: Scope) -> Any:
    out: list[str] = []
    unknowns: list[Any] = []
    _render(expr[1], scope, out, unknowns)
    if unknowns:
        return merge_unknowns(unknowns)
    return "".join(out)


def _tuple(expr: tuple, scope: Scope) -> Any:
    return [materialize(evaluate(item, scope)) for item in expr[1]]


def _object(expr: tuple, scope: Scope) -> Any:
    result: dict[str, Any] = {}
    unknown_keys: list[Any] = []
    for key_expr, value_expr in expr[1]:
        key = materialize(evaluate(key_expr, scope))
        if isinstance(key, Unknown):
            unknown_keys.append(key)
            continue
        result[to_string(key)] = materialize(evaluate(value_expr, scope))
    if unknown_keys:
        return merge_unknowns(unknown_keys)
    return result


def _call(expr: tuple, scope: Scope) -> Any:
    name = expr[1].removeprefix("provider::terraform::")
    if name in ("try", "can"):
        return _try(name, expr[2], scope)
    function = scope.functions.get(name) or FUNCTIONS.get(name)
    if function is None:
        return unknown(f"function {name}() is not evaluated by trustscan")
    args = [materialize(evaluate(arg, scope)) for arg in expr[2]]
    if expr[3] and args:
        last = args.pop()
        if isinstance(last, Unknown):
            return last
        if not isinstance(last, list):
            raise EvaluationError(f"{name}(...): the expanded argument must be a list")
        args.extend(last)
    if getattr(function, "accepts_unknown", False):
        return function(*args)
    unknown_args = [a for a in args if isinstance(a, Unknown)]
    if unknown_args:
        return merge_unknowns(unknown_args)
    try:
        result = function(*args)
    except EvaluationError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError) as exc:
        raise EvaluationError(f"{name}(): {exc}") from exc
    if result is UNKNOWN_RESULT:
        return unknown(f"{name}() is only known at apply")
    return result


def _try(name: str, args: tuple, scope: Scope) -> Any:
    for arg in args:
        try:
            value = materialize(evaluate(arg, scope))
        except EvaluationError:
            if name == "can":
                return False
            continue
        if name == "can":
            return value if isinstance(value, Unknown) else True
        return value
    if name == "can":
        return False
    raise EvaluationError("try(): no argument could be evaluated")


def _truth(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise EvaluationError(f"a condition must be a bool, not {type_name(value)}")


def _cond(expr: tuple, scope: Scope) -> Any:
    test = materialize(evaluate(expr[1], scope))
    if isinstance(test, Unknown):
        return test
    return materialize(evaluate(expr[2] if _truth(test) else expr[3], scope))


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise EvaluationError("a bool is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                pass
    raise EvaluationError(f"a {type_name(value)} value is not a number")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b if isinstance(a, bool) and isinstance(b, bool) else False
    return a == b


def _bin(expr: tuple, scope: Scope) -> Any:
    op = expr[1]
    left = materialize(evaluate(expr[2], scope))
    if op in ("&&", "||") and not isinstance(left, Unknown):
        if op == "&&" and left is False:
            return False
        if op == "||" and left is True:
            return True
    right = materialize(evaluate(expr[3], scope))
    if op in ("&&", "||"):
        if isinstance(right, Unknown) or isinstance(left, Unknown):
            # false && unknown is false; true || unknown is true
            if op == "&&" and right is False:
                return False
            if op == "||" and right is True:
                return True
            return merge_unknowns([left, right])
        return (_truth(left) and _truth(right)) if op == "&&" else (_truth(left) or _truth(right))
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return merge_unknowns([left, right])
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    a, b = _number(left), _number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise EvaluationError("division by zero")
        result = a / b
        return int(result) if result.is_integer() else result
    if op == "%":
        return a % b
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    if op == ">=":
        return a >= b
    raise EvaluationError(f"unknown operator {op}")


def _not(expr: tuple, scope: Scope) -> Any:
    value = materialize(evaluate(expr[1], scope))
    return value if isinstance(value, Unknown) else not _truth(value)


def _neg(expr: tuple, scope: Scope) -> Any:
    value = materialize(evaluate(expr[1], scope))
    return value if isinstance(value, Unknown) else -_number(value)


def _pairs(collection: Any) -> list[tuple[Any, Any]]:
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return sorted(collection.items())
    if collection is None:
        raise EvaluationError("cannot iterate over a null value")
    raise EvaluationError(f"cannot iterate over a {type_name(collection)} value")


def _for_list(expr: tuple, scope: Scope) -> Any:
    _, key_var, value_var, collection_expr, value_expr, cond = expr
    collection = materialize(evaluate(collection_expr, scope))
    if isinstance(collection, Unknown):
        return collection
    out = []
    for key, item in _pairs(collection):
        bound = {value_var: item}
        if key_var:
            bound[key_var] = key
        inner = scope.bind(bound)
        if cond is not None:
            test = materialize(evaluate(cond, inner))
            if isinstance(test, Unknown):
                return test
            if not _truth(test):
                continue
        out.append(materialize(evaluate(value_expr, inner)))
    return out


def _for_map(expr: tuple, scope: Scope) -> Any:
    _, key_var, value_var, collection_expr, key_expr, value_expr, cond, grouped = expr
    collection = materialize(evaluate(collection_expr, scope))
    if isinstance(collection, Unknown):
        return collection
    out: dict[str, Any] = {}
    for key, item in _pairs(collection):
        bound = {value_var: item}
        if key_var:
            bound[key_var] = key
        inner = scope.bind(bound)
        if cond is not None:
            test = materialize(evaluate(cond, inner))
            if isinstance(test, Unknown):
                return test
            if not _truth(test):
                continue
        new_key = materialize(evaluate(key_expr, inner))
        if isinstance(new_key, Unknown):
            return new_key
        new_key = to_string(new_key)
        value = materialize(evaluate(value_expr, inner))
        if grouped:
            out.setdefault(new_key, []).append(value)
        elif new_key in out:
            raise EvaluationError(f"duplicate key {new_key!r} in a for expression (use ... to group)")
        else:
            out[new_key] = value
    return out


_EVAL: dict[str, Callable[[tuple, Scope], Any]] = {
    "lit": _lit,
    "paren": _paren,
    "ref": _ref,
    "attr": _attr,
    "index": _index,
    "splat": _splat,
    "tmpl": _template,
    "tmpl_single": _template_single,
    "tuple": _tuple,
    "object": _object,
    "call": _call,
    "cond": _cond,
    "bin": _bin,
    "not": _not,
    "neg": _neg,
    "for_list": _for_list,
    "for_map": _for_map,
}


def describe(expr: tuple) -> str:
    """A short source-like rendering of an expression, for messages."""
    kind = expr[0]
    if kind == "lit":
        return json.dumps(expr[1])
    if kind == "ref":
        return expr[1]
    if kind == "attr":
        return f"{describe(expr[1])}.{expr[2]}"
    if kind == "index":
        return f"{describe(expr[1])}[{describe(expr[2])}]"
    if kind == "call":
        return f"{expr[1]}(...)"
    if kind == "paren":
        return f"({describe(expr[1])})"
    return "(expression)"
