"""Parse Terraform files with python-hcl2's grammar into small, picklable syntax trees with line numbers.

python-hcl2's grammar decides what parses and into which tree. We build the Lark parser ourselves
to turn off `propagate_positions` (every line we need is on the tokens), and drive Lark's own LALR
tables, contextual lexers, post-lexer rule and tree builders from one tight loop (`_FastDriver`)
that also runs chains of single-child reductions (`expression -> or_expr -> ... -> unary_expr`,
half of all reductions) as one memoised step: 1.7x faster than Lark's generator pipeline, the
same trees (tests/terraform/test_hcl_driver.py compares them). Anything the loop does not accept
is handed to Lark itself, so syntax errors keep Lark's message and line. The Lark tree is then
converted into tuples (below) that the evaluator walks and that cross process boundaries
cheaply, so large trees parse on every core.

Expressions are tuples whose first item names the kind:
  ("lit", value)  ("tmpl", parts)  ("ref", name)  ("attr", expr, name)  ("index", expr, key)
  ("splat", expr, ops)  ("call", name, args, expand)  ("tuple", items)  ("object", pairs)
  ("cond", test, then, else)  ("bin", op, left, right)  ("not", expr)  ("neg", expr)
  ("for_list", key_var, value_var, collection, value, cond)
  ("for_map", key_var, value_var, collection, key, value, cond, grouped)
Template parts are strings or expressions; directives are ("if", cond, then_parts, else_parts)
and ("for", key_var, value_var, collection, parts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

Expr = tuple


@dataclass
class Attribute:
    name: str
    expr: Expr
    start_line: int
    end_line: int


@dataclass
class Block:
    type: str
    labels: list[str]
    attributes: dict[str, Attribute]
    blocks: list[Block]
    start_line: int
    end_line: int


@dataclass
class ParsedFile:
    path: str  # relative to the scanned root, posix
    blocks: list[Block] = field(default_factory=list)
    error: tuple[int, str] | None = None  # (line, parser message) when the file does not parse


class HclSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@lru_cache(maxsize=1)
def _parser() -> Any:
    import hcl2.parser
    from hcl2.postlexer import PostLexer
    from lark import Lark

    return Lark.open(
        "hcl2.lark",
        rel_to=hcl2.parser.__file__,
        parser="lalr",
        propagate_positions=False,
        postlex=PostLexer(),
        cache=True,
    )


class _Rejected(Exception):
    """The fast loop met input it does not accept: Lark parses the text again and reports why."""


class _FastDriver:
    """Lark's LALR(1) parse of python-hcl2's grammar, as one loop.

    Lark's pipeline (lexer generator -> post-lexer generator -> `feed_token` per token) spends most
    of its time in the hand-offs, not in the automaton. This loop does what those pieces do, in the
    same order, on their own tables:
    - the contextual lexer: the terminals acceptable in the current parser state (Lark's
      per-state lexers: their regular expressions, ignored and newline terminals and the keyword
      callback that turns a NAME into `if` / `for` / `in`);
    - python-hcl2's post-lexer: a newline held until the next token is lexed (in the state
      before the newline is fed) and merged into that token when it is a binary operator;
    - the parser: Lark's action table and tree-builder callbacks; a run of size-1 reductions
      under the same state and lookahead always ends in the same state with the same callbacks,
      so it is memoised (a `?rule` callback with one child returns the child: skipped).
    """

    def __init__(self, lark: Any) -> None:
        from lark.parse_tree_builder import ExpandSingleChild
        from lark.parsers.lalr_analysis import Shift

        frontend = lark.parser
        automaton = frontend.parser.parser
        table = automaton.parse_table
        callbacks = automaton.callbacks
        contextual = frontend.lexer.lexer
        self.lexers: dict[int, tuple] = {}
        built: dict[int, tuple] = {}
        for state, lexer in contextual.lexers.items():
            if id(lexer) not in built:
                # compiled lazily, as Lark does: most states never see a token of their own
                built[id(lexer)] = (lexer, [None])
            self.lexers[state] = built[id(lexer)]
        reductions: dict[int, tuple] = {}
        self.actions: dict[int, dict[str, tuple]] = {}
        for state, row in table.states.items():
            actions: dict[str, tuple] = {}
            for terminal, (action, arg) in row.items():
                if action is Shift:
                    actions[terminal] = (True, arg)
                    continue
                if id(arg) not in reductions:
                    size, callback = len(arg.expansion), callbacks[arg]
                    identity = size == 1 and type(callback) is ExpandSingleChild  # no child filter around it
                    reductions[id(arg)] = (size, None if identity else callback, arg.origin.name)
                actions[terminal] = (False, reductions[id(arg)])
            self.actions[state] = actions
        self.start = table.start_states["start"]
        self.end = table.end_states["start"]
        self.chains: dict[tuple[int, int, str], tuple[int, tuple]] = {}
        from hcl2.postlexer import OPERATOR_TYPES
        from lark.lexer import Token

        self.operators = OPERATOR_TYPES
        self.new_token = Token._future_new

    def _lexer(self, state: int) -> tuple:
        lexer, compiled = self.lexers[state]
        if compiled[0] is None:
            scanner = lexer.scanner
            compiled[0] = (tuple(m.match for m in scanner._mres), lexer.ignore_types, lexer.newline_types, dict(lexer.callback))
        return compiled[0]

    def _chain(self, below: int, top: int, terminal: str) -> tuple[int, tuple]:
        actions = self.actions
        steps = []
        while True:
            shift, arg = actions[top][terminal]
            if shift or arg[0] != 1:
                return top, tuple(steps)
            if arg[1] is not None:
                steps.append(arg[1])
            top = actions[below][arg[2]][1]

    def _feed(self, token: Any, states: list, values: list) -> None:
        actions, chains = self.actions, self.chains
        terminal = token.type
        while True:
            try:
                shift, arg = actions[states[-1]][terminal]
            except KeyError:
                raise _Rejected from None
            if shift:
                states.append(arg)
                values.append(token)
                return
            size, callback, origin = arg
            if size == 1:
                key = (states[-2], states[-1], terminal)
                chain = chains.get(key)
                if chain is None:
                    chain = chains[key] = self._chain(key[0], key[1], terminal)
                states[-1] = chain[0]
                if chain[1]:
                    value = values[-1]
                    for step in chain[1]:
                        value = step([value])
                    values[-1] = value
                continue
            if size:
                children = values[-size:]
                del states[-size:]
                del values[-size:]
            else:
                children = []
            values.append(callback(children))
            states.append(actions[states[-1]][origin][1])

    def parse(self, text: str) -> Any:
        states: list = [self.start]
        values: list = []
        feed, lexer_of, new_token, operators = self._feed, self._lexer, self.new_token, self.operators
        pos, line, line_start, end = 0, 1, 0, len(text)
        pending = None  # a newline the post-lexer holds back
        while True:
            token = None
            matchers, ignored, newlines, keyword = lexer_of(states[-1])
            while pos < end:
                for match in matchers:
                    found = match(text, pos)
                    if found:
                        break
                else:
                    raise _Rejected
                value = found.group(0)
                terminal = found.lastgroup
                if terminal not in ignored:
                    token = new_token(terminal, value, pos, line, pos - line_start + 1)
                if terminal in newlines and "\n" in value:
                    line += value.count("\n")
                    line_start = pos + value.rindex("\n") + 1
                pos += len(value)
                if token is not None:
                    callback = keyword.get(terminal)
                    if callback is not None:
                        token = callback(token)
                    break
            if token is None:
                break
            if token.type == "NL_OR_COMMENT":
                if pending is not None:
                    feed(pending, states, values)
                pending = token
                continue
            if pending is not None:
                if token.type in operators:
                    token = token.update(value=str(pending) + str(token))
                else:
                    feed(pending, states, values)
                pending = None
            feed(token, states, values)
        if pending is not None:
            feed(pending, states, values)
        actions = self.actions
        while True:  # $END: reduce until the start rule is complete
            try:
                shift, (size, callback, origin) = actions[states[-1]]["$END"]
            except (KeyError, TypeError):
                raise _Rejected from None
            if shift:
                raise _Rejected
            children = values[-size:] if size else []
            if size:
                del states[-size:]
                del values[-size:]
            values.append(callback(children) if callback is not None else children[0])
            states.append(actions[states[-1]][origin][1])
            if states[-1] == self.end:
                return values[-1]


@lru_cache(maxsize=1)
def _driver() -> _FastDriver:
    return _FastDriver(_parser())


def prepare_parser() -> None:
    """Build the parser now (before forking workers, so that they share it)."""
    _driver()


def _parse_tree(text: str) -> Any:
    """python-hcl2's Lark tree for `text`; Lark's own exceptions for text that does not parse."""
    try:
        return _driver().parse(text)
    except (_Rejected, KeyError, IndexError):  # not accepted here: Lark decides, and says why
        pass
    return _parser().parse(text)


def parse_text(text: str, path: str = "<text>") -> ParsedFile:
    """Parse one file. A syntax error is kept on the result (line and the parser's message), not raised."""
    from lark.exceptions import UnexpectedInput

    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        tree = _parse_tree(text + "\n")
    except UnexpectedInput as exc:
        return ParsedFile(path, error=(getattr(exc, "line", 0) or 0, _describe(exc)))
    except HclSyntaxError as exc:
        return ParsedFile(path, error=(exc.line, exc.message))
    try:
        return ParsedFile(path, blocks=_Converter().body(tree.children[0])[1])
    except HclSyntaxError as exc:
        return ParsedFile(path, error=(exc.line, exc.message))


def _describe(exc: Exception) -> str:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            return "unexpected end of file"
        shown = str(token.value).strip() or repr(str(token.value))
        return f"unexpected {shown!r} (column {exc.column})"
    if isinstance(exc, UnexpectedCharacters):
        return f"unexpected character {exc.char!r} (column {exc.column})"
    if isinstance(exc, UnexpectedEOF):
        return "unexpected end of file"
    return str(exc).splitlines()[0]


def parse_file(full_path: str, rel_path: str) -> ParsedFile:
    try:
        with open(full_path, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        return ParsedFile(rel_path, error=(0, "not UTF-8 text"))
    except OSError as exc:
        return ParsedFile(rel_path, error=(0, f"cannot read: {exc.strerror}"))
    return parse_text(text, rel_path)


def parse_expression(text: str) -> Expr:
    """One expression (a --var value that is not a plain string, a .tfvars value)."""
    attributes, error = parse_attributes(f"v = {text}\n", "<expression>")
    if error:
        raise HclSyntaxError(*error)
    return attributes["v"].expr


def parse_attributes(text: str, path: str) -> tuple[dict[str, Attribute], tuple[int, str] | None]:
    """A .tfvars file: top-level attributes only."""
    from lark.exceptions import UnexpectedInput

    try:
        tree = _parse_tree(text + "\n")
        attributes, _ = _Converter().body(tree.children[0])
    except UnexpectedInput as exc:
        return {}, (getattr(exc, "line", 0) or 0, _describe(exc))
    except HclSyntaxError as exc:
        return {}, (exc.line, exc.message)
    return attributes, None


# -- conversion ---------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def replace(match: re.Match) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE_RE.sub(replace, text)


def _merge_parts(parts: list) -> Expr:
    """A template of only literal text is a literal string."""
    merged: list = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    if not merged:
        return ("lit", "")
    if len(merged) == 1 and isinstance(merged[0], str):
        return ("lit", merged[0])
    if len(merged) == 1 and not isinstance(merged[0], (str,)) and merged[0][0] not in ("if", "for"):
        return ("tmpl_single", merged[0])  # "${x}" keeps x's type, as Terraform does
    return ("tmpl", tuple(merged))


class _Converter:
    """Lark tree -> tuples. `last` tracks the last line seen, for an attribute's end line."""

    def __init__(self) -> None:
        self.last = 0

    def _token_line(self, token: Any) -> int:
        line = getattr(token, "line", 0) or 0
        end = line + str(token).rstrip("\n").count("\n")
        if end > self.last:
            self.last = end
        return line

    def body(self, tree: Any) -> tuple[dict[str, Attribute], list[Block]]:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for child in tree.children:
            kind = getattr(child, "data", None)
            if kind == "attribute":
                attribute = self.attribute(child)
                if attribute.name in attributes:
                    raise HclSyntaxError(attribute.start_line, f"duplicate argument {attribute.name!r}")
                attributes[attribute.name] = attribute
            elif kind == "block":
                blocks.append(self.block(child))
        return attributes, blocks

    def _name(self, node: Any) -> tuple[str, int]:
        token = node.children[0]
        return str(token), self._token_line(token)

    def attribute(self, tree: Any) -> Attribute:
        name, line = self._name(tree.children[0])
        self.last = line
        expr = self.expr(tree.children[-1])
        return Attribute(name, expr, line, self.last)

    def block(self, tree: Any) -> Block:
        children = tree.children
        block_type, start = self._name(children[0])
        labels: list[str] = []
        index = 1
        while index < len(children):
            child = children[index]
            data = getattr(child, "data", None)
            if data == "string":
                labels.append(self._string_literal(child))
            elif data in ("identifier", "keyword", "literal_value"):
                labels.append(self._name(child)[0])
            else:
                break
            index += 1
        body = next(c for c in children if getattr(c, "data", None) == "body")
        closing = children[-1]
        attributes, blocks = self.body(body)
        end = self._token_line(closing)
        return Block(block_type, labels, attributes, blocks, start, max(end, start))

    def _string_literal(self, tree: Any) -> str:
        expr = self.string(tree)
        if expr[0] != "lit":
            raise HclSyntaxError(self.last, "block labels cannot contain interpolations")
        return expr[1]

    # expressions

    def expr(self, tree: Any) -> Expr:
        data = getattr(tree, "data", None)
        if data is None:  # a bare token
            self._token_line(tree)
            return ("lit", str(tree))
        method = _DISPATCH.get(data)
        if method is None:
            raise HclSyntaxError(self.last, f"unsupported expression {data}")
        return method(self, tree)

    def expr_term(self, tree: Any) -> Expr:
        children = [c for c in tree.children if getattr(c, "data", None) != "new_line_or_comment"]
        if len(children) == 1:
            return self.expr(children[0])
        # ( expression )
        for child in children:
            if hasattr(child, "data"):
                inner = self.expr(child)
            else:
                self._token_line(child)
        return ("paren", inner)

    def identifier(self, tree: Any) -> Expr:
        name, _ = self._name(tree)
        return ("ref", name)

    def literal_value(self, tree: Any) -> Expr:
        value, _ = self._name(tree)
        return ("lit", {"true": True, "false": False, "null": None}[value])

    def int_lit(self, tree: Any) -> Expr:
        value, _ = self._name(tree)
        return ("lit", int(value))

    def float_lit(self, tree: Any) -> Expr:
        value, _ = self._name(tree)
        return ("lit", float(value))

    def string(self, tree: Any) -> Expr:
        return self._template(tree.children[1:-1], closing=tree.children[-1])

    def _template(self, parts_trees: list, closing: Any = None) -> Expr:
        flat: list = []
        for part in parts_trees:
            inner = part.children[0] if getattr(part, "data", None) == "string_part" else part
            data = getattr(inner, "data", None)
            if data is None:
                self._token_line(inner)
                token_type = getattr(inner, "type", "")
                text = str(inner)
                if token_type == "ESCAPED_INTERPOLATION":
                    flat.append(text[1:])
                elif token_type == "ESCAPED_DIRECTIVE":
                    flat.append(text[1:])
                else:
                    flat.append(_unescape(text))
            elif data == "interpolation":
                flat.append(self.expr(inner.children[1]))
            elif data == "template_if_start":
                cond = next(c for c in inner.children if hasattr(c, "data"))
                flat.append(("%if", self.expr(cond)))
            elif data == "template_else":
                flat.append(("%else",))
            elif data == "template_endif":
                flat.append(("%endif",))
            elif data == "template_for_start":
                names = [self._name(c)[0] for c in inner.children if getattr(c, "data", None) == "identifier"]
                collection = [c for c in inner.children if hasattr(c, "data") and c.data != "identifier"][-1]
                flat.append(("%for", names, self.expr(collection)))
            elif data == "template_endfor":
                flat.append(("%endfor",))
            else:
                flat.append(self.expr(inner))
        if closing is not None:
            self._token_line(closing)
        parts, rest = _assemble(flat, 0, None)
        if rest != len(flat):
            raise HclSyntaxError(self.last, "unbalanced template directive")
        return _merge_parts(parts)

    def template_string(self, tree: Any) -> Expr:
        token = tree.children[0]
        self._token_line(token)
        return ("lit", _unescape(str(token)[2:-2]))

    def heredoc_template(self, tree: Any) -> Expr:
        return self._heredoc(tree.children[0], trim=False)

    def heredoc_template_trim(self, tree: Any) -> Expr:
        return self._heredoc(tree.children[0], trim=True)

    def _heredoc(self, token: Any, trim: bool) -> Expr:
        line = self._token_line(token)
        text = str(token)
        first_newline = text.index("\n")
        body = text[first_newline + 1 :]
        body = body[: body.rstrip().rfind("\n") + 1] if "\n" in body.rstrip() else ""
        if trim:
            lines = body.split("\n")
            indents = [len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()]
            cut = min(indents) if indents else 0
            body = "\n".join(x[cut:] for x in lines)
        if "${" not in body and "%{" not in body:
            return ("lit", body)
        # The body is a template: parse it as a quoted string (backslashes and quotes are literal in heredocs).
        quoted = body.replace("\\", "\\\\").replace('"', '\\"')
        try:
            tree = _parse_tree(f'v = "{quoted}"\n')
        except Exception as exc:  # noqa: BLE001 - reported as the heredoc's syntax error
            raise HclSyntaxError(line, f"invalid template in heredoc: {_describe(exc)}") from exc
        attribute = next(c for c in tree.children[0].children if getattr(c, "data", None) == "attribute")
        saved = self.last
        expr = _Converter().expr(attribute.children[-1])
        self.last = saved
        return expr

    def tuple(self, tree: Any) -> Expr:
        items = []
        for child in tree.children:
            if hasattr(child, "data"):
                if child.data != "new_line_or_comment":
                    items.append(self.expr(child))
            else:
                self._token_line(child)
        return ("tuple", tuple(items))

    def object(self, tree: Any) -> Expr:
        pairs = []
        for child in tree.children:
            if getattr(child, "data", None) == "object_elem":
                key_tree, value_tree = child.children[0], child.children[-1]
                pairs.append((self._object_key(key_tree), self.expr(value_tree)))
            elif not hasattr(child, "data"):
                self._token_line(child)
        return ("object", tuple(pairs))

    def _object_key(self, tree: Any) -> Expr:
        inner = tree.children[0]
        if getattr(inner, "data", None) == "keyword":
            return ("lit", self._name(inner)[0])
        if getattr(inner, "data", None) == "expr_term":
            children = [c for c in inner.children if getattr(c, "data", None) != "new_line_or_comment"]
            if len(children) == 1 and getattr(children[0], "data", None) == "identifier":
                return ("lit", self._name(children[0])[0])  # a bare name is a literal key
        expr = self.expr(inner)
        return expr[1] if expr[0] == "paren" else expr

    def function_call(self, tree: Any) -> Expr:
        names = [self._name(c)[0] for c in tree.children if getattr(c, "data", None) == "identifier"]
        args: list = []
        expand = False
        for child in tree.children:
            if getattr(child, "data", None) == "arguments":
                for arg in child.children:
                    if hasattr(arg, "data"):
                        if arg.data != "new_line_or_comment":
                            args.append(self.expr(arg))
                    else:
                        self._token_line(arg)
                        if arg.type == "ELLIPSIS":
                            expand = True
            elif not hasattr(child, "data"):
                self._token_line(child)
        return ("call", "::".join(names), tuple(args), expand)

    def get_attr_expr_term(self, tree: Any) -> Expr:
        return self._traverse(self.expr(tree.children[0]), tree.children[1])

    def index_expr_term(self, tree: Any) -> Expr:
        return self._traverse(self.expr(tree.children[0]), tree.children[1])

    def _traverse(self, base: Expr, op: Any) -> Expr:
        if op.data == "get_attr":
            name_tree = op.children[-1]
            name = self._name(name_tree)[0]
            return ("attr", base, name)
        if op.data == "short_index":
            token = op.children[-1]
            self._token_line(token)
            return ("index", base, ("lit", int(token)))
        # braces_index
        key = next(c for c in op.children if hasattr(c, "data") and c.data != "new_line_or_comment")
        for child in op.children:
            if not hasattr(child, "data"):
                self._token_line(child)
        return ("index", base, self.expr(key))

    def attr_splat_expr_term(self, tree: Any) -> Expr:
        return self._splat(tree)

    def full_splat_expr_term(self, tree: Any) -> Expr:
        return self._splat(tree)

    def _splat(self, tree: Any) -> Expr:
        base = self.expr(tree.children[0])
        ops = []
        for op in tree.children[1].children:
            if hasattr(op, "data"):
                ops.append(self._traverse(("splat_item",), op))
            else:
                self._token_line(op)
        return ("splat", base, tuple(ops))

    def conditional(self, tree: Any) -> Expr:
        parts = [c for c in tree.children if hasattr(c, "data") and c.data != "new_line_or_comment"]
        return ("cond", self.expr(parts[0]), self.expr(parts[1]), self.expr(parts[2]))

    def binary_op(self, tree: Any) -> Expr:
        left = self.expr(tree.children[0])
        term = tree.children[1]
        operator = term.children[0]
        token = operator.children[0]
        self._token_line(token)
        right = next(c for c in term.children[1:] if hasattr(c, "data") and c.data != "new_line_or_comment")
        return ("bin", str(token).strip(), left, self.expr(right))

    def unary_op(self, tree: Any) -> Expr:
        token = tree.children[0]
        self._token_line(token)
        operand = self.expr(tree.children[1])
        if str(token) == "-" and operand[0] == "lit" and isinstance(operand[1], (int, float)):
            return ("lit", -operand[1])
        return ("not" if str(token) == "!" else "neg", operand)

    def _for_intro(self, tree: Any) -> tuple[str | None, str, Expr]:
        names = [self._name(c)[0] for c in tree.children if getattr(c, "data", None) == "identifier"]
        collection = [c for c in tree.children if hasattr(c, "data") and c.data not in ("identifier", "new_line_or_comment")][-1]
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        return key_var, value_var, self.expr(collection)

    def for_tuple_expr(self, tree: Any) -> Expr:
        nodes = [c for c in tree.children if hasattr(c, "data") and c.data != "new_line_or_comment"]
        key_var, value_var, collection = self._for_intro(nodes[0])
        value = self.expr(nodes[1])
        cond = self.expr(self._for_cond(nodes[2])) if len(nodes) > 2 else None
        for child in tree.children:
            if not hasattr(child, "data"):
                self._token_line(child)
        return ("for_list", key_var, value_var, collection, value, cond)

    def for_object_expr(self, tree: Any) -> Expr:
        nodes = [c for c in tree.children if hasattr(c, "data") and c.data != "new_line_or_comment"]
        grouped = any(not hasattr(c, "data") and c.type == "ELLIPSIS" for c in tree.children)
        key_var, value_var, collection = self._for_intro(nodes[0])
        key = self.expr(nodes[1])
        value = self.expr(nodes[2])
        cond = self.expr(self._for_cond(nodes[3])) if len(nodes) > 3 else None
        for child in tree.children:
            if not hasattr(child, "data"):
                self._token_line(child)
        return ("for_map", key_var, value_var, collection, key, value, cond, grouped)

    @staticmethod
    def _for_cond(tree: Any) -> Any:
        return [c for c in tree.children if hasattr(c, "data") and c.data != "new_line_or_comment"][-1]


_DISPATCH = {
    "expr_term": _Converter.expr_term,
    "identifier": _Converter.identifier,
    "literal_value": _Converter.literal_value,
    "int_lit": _Converter.int_lit,
    "float_lit": _Converter.float_lit,
    "string": _Converter.string,
    "template_string": _Converter.template_string,
    "heredoc_template": _Converter.heredoc_template,
    "heredoc_template_trim": _Converter.heredoc_template_trim,
    "tuple": _Converter.tuple,
    "object": _Converter.object,
    "function_call": _Converter.function_call,
    "get_attr_expr_term": _Converter.get_attr_expr_term,
    "index_expr_term": _Converter.index_expr_term,
    "attr_splat_expr_term": _Converter.attr_splat_expr_term,
    "full_splat_expr_term": _Converter.full_splat_expr_term,
    "conditional": _Converter.conditional,
    "binary_op": _Converter.binary_op,
    "unary_op": _Converter.unary_op,
    "for_tuple_expr": _Converter.for_tuple_expr,
    "for_object_expr": _Converter.for_object_expr,
}


def _assemble(flat: list, index: int, stop: set | None) -> tuple[list, int]:
    """Flat template items (with %if/%else/%endif/%for/%endfor markers) -> nested directives."""
    parts: list = []
    while index < len(flat):
        item = flat[index]
        marker = item[0] if isinstance(item, tuple) and item and isinstance(item[0], str) and item[0].startswith("%") else None
        if marker and stop and marker in stop:
            return parts, index
        if marker == "%if":
            then_parts, index = _assemble(flat, index + 1, {"%else", "%endif"})
            else_parts: list = []
            if index < len(flat) and flat[index][0] == "%else":
                else_parts, index = _assemble(flat, index + 1, {"%endif"})
            if index >= len(flat) or flat[index][0] != "%endif":
                raise HclSyntaxError(0, "%{if} without %{endif}")
            parts.append(("if", item[1], tuple(then_parts), tuple(else_parts)))
        elif marker == "%for":
            body, index = _assemble(flat, index + 1, {"%endfor"})
            if index >= len(flat):
                raise HclSyntaxError(0, "%{for} without %{endfor}")
            names = item[1]
            key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
            parts.append(("for", key_var, value_var, item[2], tuple(body)))
        elif marker:
            raise HclSyntaxError(0, f"unexpected %{{{marker[1:]}}}")
        else:
            parts.append(item)
        index += 1
    if stop:
        return parts, index
    return parts, index
