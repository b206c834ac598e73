"""The fast parse loop gives exactly the tree python-hcl2's own Lark parser gives (`hcl2.parser.parser()`:
rule names, token types, values, lines), and text it does not accept gets Lark's own error. The
comparison is shown to catch a loop that goes wrong (test_a_wrong_tree_is_caught)."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.sources.terraform.hcl import _driver, _FastDriver, _parse_tree, _parser, _Rejected, parse_text
from tests.terraform.conftest import FIXTURES


def _python_hcl2() -> Any:
    """python-hcl2's parser of record, as `hcl2.load` uses it (positions propagated, its own cache)."""
    import hcl2.parser

    return hcl2.parser.parser()

# Constructs whose lexing depends on the parser state or on the post-lexer.
SNIPPETS = {
    "operators after newlines": 'a = (\n  1\n  + 2\n  * 3\n)\nb = x\n  ? "y"\n  : "z"\nc = -1\nd = !true\n',
    "comments": "# one\n// two\n/* three\n four */\na = 1 # trailing\nb = 2 // trailing\n/* before */ c = 3\n",
    "heredocs": 'a = <<EOT\n  text ${var.x}\n  %{ if var.y }yes%{ else }no%{ endif }\nEOT\nb = <<-EOT\n    indented\n    EOT\n',
    "templates": 'a = "x${var.y}z"\nb = "%{for k, v in var.m}${k}=${v},%{endfor}"\nc = "$${literal} %%{literal}"\nd = "\\u00e9\\n\\t\\""\n',
    "keywords as names": 'resource "a" "b" {\n  for_each = var.m\n  in = 1\n  if = 2\n  for = 3\n  null_attr = null\n  t = true\n}\n',
    "for expressions": 'a = [for x in var.l : upper(x) if x != ""]\nb = {for k, v in var.m : k => v...}\nc = {for s in var.l : s => 1}\n',
    "splats and indexes": "a = aws_instance.x[*].id\nb = aws_instance.x.*.id\nc = var.l[0].y[\"k\"]\nd = var.l.0\n",
    "functions": 'a = merge(local.a, { b = 1 }, [1, 2]...)\nb = provider::terraform::encode_tfvars({})\nc = jsonencode({\n  "k" = [1, 2.5, "x"]\n})\n',
    "objects and tuples": 'a = {\n  b = 1,\n  "c" = 2\n  (local.k) = 3\n}\nt = [\n  1,\n  2,\n]\n',
    "crlf": 'resource "a" "b" {\r\n  x = 1\r\n  y = "z"\r\n}\r\n',
    "nested blocks": 'a "b" "c" {\n  d {\n    e = 1\n  }\n  dynamic "f" {\n    for_each = var.g\n    content {\n      h = f.value\n    }\n  }\n}\n',
    "empty": "",
    "only comments": "# nothing here\n",
}


def _shape(node: Any) -> Any:
    """A tree as comparable data: rule names, and each token's type, text and line."""
    if hasattr(node, "data"):
        return (str(node.data), tuple(_shape(child) for child in node.children))
    if node is None:
        return None
    return (node.type, str(node), node.line)


def _fixture_texts() -> list[tuple[str, str]]:
    return [(str(p.relative_to(FIXTURES)), p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.rglob("*.tf"))]


@pytest.mark.parametrize("name,text", list(SNIPPETS.items()) + _fixture_texts(), ids=lambda v: v if len(v) < 60 else None)
def test_same_tree_as_lark(name: str, text: str) -> None:
    try:
        expected = _shape(_python_hcl2().parse(text + "\n"))
    except Exception as exc:  # noqa: BLE001 - a fixture that does not parse: the driver must refuse it too
        with pytest.raises((_Rejected, KeyError, IndexError)):
            _driver().parse(text + "\n")
        with pytest.raises(type(exc)):
            _parse_tree(text + "\n")
        return
    assert _shape(_driver().parse(text + "\n")) == expected
    assert _shape(_parser().parse(text + "\n")) == expected  # the fallback: Lark on the same grammar


class _LinesFromOne(_FastDriver):
    """A loop that forgets to count lines."""

    def __init__(self, lark: Any) -> None:
        super().__init__(lark)
        new_token = self.new_token
        self.new_token = lambda kind, value, pos, line, column: new_token(kind, value, pos, 1, column)


class _NoKeywords(_FastDriver):
    """A loop that skips the lexer's keyword callback (`if`, `for`, `in` stay names)."""

    def _lexer(self, state: int) -> tuple:
        matchers, ignored, newlines, _ = super()._lexer(state)
        return matchers, ignored, newlines, {}


@pytest.mark.parametrize("broken", [_LinesFromOne, _NoKeywords])
def test_a_wrong_tree_is_caught(broken: type) -> None:
    """The comparison above fails for a loop that gets lines or token types wrong."""
    driver = broken(_parser())
    caught = []
    for name in ("keywords as names", "nested blocks", "operators after newlines"):
        text = SNIPPETS[name] + "\n"
        try:
            wrong = _shape(driver.parse(text))
        except (_Rejected, KeyError, IndexError):
            continue
        caught.append(wrong != _shape(_python_hcl2().parse(text)))
    assert caught and all(caught)


@pytest.mark.parametrize(
    "text",
    ['resource "a" "b" {\n  x = \n}\n', 'a = "unterminated\n', "a = 1\nb = = 2\n", "a = [1, 2\n", "a = 1 +\n", 'x "y" { z = ${ } }\n'],
)
def test_errors_are_larks(text: str) -> None:
    from lark.exceptions import UnexpectedInput

    from scanner.sources.terraform.hcl import _describe

    with pytest.raises(UnexpectedInput) as raised:
        _parser().parse(text + "\n")
    expected = (raised.value.line or 0, _describe(raised.value))
    assert parse_text(text, "bad.tf").error == expected
