"""Typed text to SymPy through a whitelist: nothing typed is ever run as Python.

Every loss or map typed as text (``GDMap("...")``, :func:`gdmaps.loss_from_text`,
:func:`gdmaps.maps.from_text`, :func:`gdmaps.core.symbols.exact` on a string, the command
line) comes here. The text is parsed by Python's :mod:`ast` into a syntax tree, which is
never compiled nor evaluated; this module walks the tree and builds the SymPy expression
itself, node by node, from a fixed table of what is allowed. Anything else is refused
with one :class:`~gdmaps.InvalidArgumentError` line that names the argument, the
bad text and what is allowed.

Grammar
-------
::

    expression  number | name | pi | ( expression )
                | expression (+ | - | * | / | ** | ^) expression | (+ | -) expression
                | function(expression, ...)
                | Piecewise((expression, condition), ..., (expression, True))
    condition   expression (< | <= | > | >= | == | !=) expression [...]  (chains allowed)
                | condition & condition | condition | condition | ~condition | True | False
    binding     name = expression          (a number: no names but pi)

- **Numbers** are decimal literals, read as the exact decimal written: ``0.1`` is
  ``1/10``, ``1.4e-3`` is ``7/5000`` (as :func:`gdmaps.core.symbols.exact` reads the float
  ``0.1``; a literal keeps every digit typed, so ``0.30000000000000001`` stays what it
  says). There are no floats, no imaginary literals (``1j``) and no strings.
- **Names** are Python identifiers that do not start with ``_`` and are not Python
  keywords. Each becomes the plain SymPy symbol of that name, ``sp.Symbol(name)``,
  including names SymPy would take for its builtins (``E``, ``I``, ``S``, ``N``,
  ``Q``, ``beta``, ``gamma``): write ``exp(1)`` for Euler's number. ``pi`` is the
  constant unless the caller makes it a symbol. ``nan``, ``inf``, ``infinity``,
  ``oo`` and ``zoo`` are refused: they are not numbers a loss can hold.
- **Operators**: ``+ - * /``, unary ``+ -``, and powers ``**``; ``^`` is also a power
  (as SymPy's ``convert_xor``), never exclusive or. Multiplication is explicit: ``2x``
  is refused, write ``2*x``.
- **Functions** (:data:`FUNCTIONS`): ``exp log ln sqrt sin cos tan cot sec csc asin
  acos atan atan2 sinh cosh tanh asinh acosh atanh erf erfc Abs abs sign Heaviside Max
  max Min min Piecewise``, and the activations ``relu(z) = Max(0, z)``,
  ``sigmoid(z) = 1/(1 + exp(-z))`` and ``softplus(z) = log(1 + exp(z))`` (the
  formulas of :func:`gdmaps.models.mlp`). Comparisons, ``&``, ``|``, ``~``, ``True``
  and ``False`` are allowed only as the conditions of ``Piecewise``.
- Everything else is refused: attributes (``x.y``), indexing, strings, f-strings,
  lambdas, comprehensions, ``if``/``else``, ``and``/``or``/``not``, starred and
  keyword arguments, ``//``, ``%``, ``@``, calls of any other name, lists, dicts, sets.

Limits
------
Checked during the walk, before SymPy builds the node each one guards, so a refusal is
quick and nothing large is ever computed:

- :data:`MAX_LENGTH` characters of text, and :data:`MAX_DEPTH` levels of nesting
  (parentheses, calls, unary signs, powers; a long sum or product is one level).
- :data:`MAX_LITERAL_DIGITS` significant digits in one literal, and a decimal exponent
  (``1e-5``) of at most :data:`MAX_NUMBER_DIGITS`.
- A numeric exponent of at most :data:`MAX_EXPONENT` in absolute value (``x**2000``
  is refused), and no exact number of more than :data:`MAX_NUMBER_DIGITS` digits, with
  the size of a power or product of numbers estimated *before* it is computed:
  ``9**9**9`` is refused without evaluating it.
- At most :data:`MAX_ARGUMENTS` arguments of ``Max`` and ``Min`` and pairs of
  ``Piecewise``. ``Max`` and ``Min`` of symbolic arguments are kept as written (SymPy's
  pairwise simplification costs seconds for a few dozen arguments); of numbers they are
  evaluated: ``Max(1, 2)`` is 2.
- Roots (fractional powers) of exact numbers of at most :data:`MAX_ROOT_DIGITS` digits,
  also when SymPy would merge them (``sqrt(a)*sqrt(b)`` is ``sqrt(a*b)``), since SymPy
  factors the number under a root.
- The result must be finite: ``1/0``, ``0**-1``, ``log(0)`` and ``tan(pi/2)`` are
  refused, as is any value SymPy would make ``nan``, ``oo`` or ``zoo``.

Python's own parser adds two limits: about 200 nested parentheses, and sums or products
of about 2000 terms; both are refused like the others. Building costs SymPy some
milliseconds per kink (``Abs``, ``sign``, ``Heaviside``), so the longest text takes
seconds at most.

Examples
--------
>>> parse_expression("(a*b - y)^2/2 + 0.1*Max(0, -a)")
(a*b - y)**2/2 + Max(0, -a)/10
>>> parse_number("sqrt(2)/2 + 1.5e-1")
3/20 + sqrt(2)/2
>>> parse_bindings("y = 2; lr = 1/3")
{'y': 2, 'lr': 1/3}
>>> parse_expression('__import__("os").system("true")', name="loss")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gdmaps.InvalidArgumentError: loss could not be read as an expression: '__import__("os")...
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

import sympy as sp

from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError

__all__ = [
    "parse_expression", "parse_number", "parse_bindings", "FUNCTIONS", "ALLOWED",
    "MAX_LENGTH", "MAX_DEPTH", "MAX_LITERAL_DIGITS", "MAX_EXPONENT", "MAX_NUMBER_DIGITS",
    "MAX_ROOT_DIGITS", "MAX_ARGUMENTS",
]

#: Longest text accepted, in characters.
MAX_LENGTH = 10_000
#: Deepest nesting accepted (parentheses, calls, signs, powers; a chain a + b + c is one).
MAX_DEPTH = 100
#: Most significant digits in one numeric literal.
MAX_LITERAL_DIGITS = 100
#: Largest absolute value of a numeric exponent (of ``**`` or ``^``, or exp(n*log(b))).
MAX_EXPONENT = 1000
#: Most digits of the numerator or denominator of any exact number built.
MAX_NUMBER_DIGITS = 1000
#: Most digits of an exact number under a root (a fractional power): SymPy factors it.
MAX_ROOT_DIGITS = 100
#: Most arguments of Max and Min, and pairs of Piecewise.
MAX_ARGUMENTS = 100


def _lattice(op):
    """Max or Min, simplified by SymPy only when every argument is a number.

    SymPy compares every pair of symbolic arguments through its assumptions, which costs
    seconds for a few dozen arguments; as in :mod:`gdmaps.models.mlp`, that simplification
    only matters for numbers.
    """
    def build(*args):
        return op(*args, evaluate=all(a.is_number for a in args))
    build.__name__ = op.__name__
    return build


_max, _min = _lattice(sp.Max), _lattice(sp.Min)


def _relu(z):
    return _max(sp.S.Zero, z)


def _sigmoid(z):
    return 1 / (1 + sp.exp(-z))


def _softplus(z):
    return sp.log(1 + sp.exp(z))


#: The functions text may call: name -> (SymPy builder, least and most arguments).
FUNCTIONS = MappingProxyType({
    "exp": (sp.exp, 1, 1), "log": (sp.log, 1, 2), "ln": (sp.log, 1, 1),
    "sqrt": (lambda z: _power(z, sp.S.Half), 1, 1),
    "sin": (sp.sin, 1, 1), "cos": (sp.cos, 1, 1), "tan": (sp.tan, 1, 1),
    "cot": (sp.cot, 1, 1), "sec": (sp.sec, 1, 1), "csc": (sp.csc, 1, 1),
    "asin": (sp.asin, 1, 1), "acos": (sp.acos, 1, 1), "atan": (sp.atan, 1, 1),
    "atan2": (sp.atan2, 2, 2),
    "sinh": (sp.sinh, 1, 1), "cosh": (sp.cosh, 1, 1), "tanh": (sp.tanh, 1, 1),
    "asinh": (sp.asinh, 1, 1), "acosh": (sp.acosh, 1, 1), "atanh": (sp.atanh, 1, 1),
    "erf": (sp.erf, 1, 1), "erfc": (sp.erfc, 1, 1),
    "Abs": (sp.Abs, 1, 1), "abs": (sp.Abs, 1, 1), "sign": (sp.sign, 1, 1),
    "Heaviside": (sp.Heaviside, 1, 1),
    "Max": (_max, 1, MAX_ARGUMENTS), "max": (_max, 1, MAX_ARGUMENTS),
    "Min": (_min, 1, MAX_ARGUMENTS), "min": (_min, 1, MAX_ARGUMENTS),
    "relu": (_relu, 1, 1), "sigmoid": (_sigmoid, 1, 1), "softplus": (_softplus, 1, 1),
    "Piecewise": (sp.Piecewise, 1, MAX_ARGUMENTS),
})

#: What typed text may hold, as every refusal states it.
ALLOWED = ("allowed: numbers, names, + - * / ** (or ^), parentheses, pi and the functions "
           + " ".join(n for n in FUNCTIONS if n not in ("abs", "max", "min", "ln"))
           + "; Piecewise((value, condition), ...) takes comparisons")

_NON_NUMBERS = {"nan", "inf", "infinity", "oo", "zoo"}
_NAME = re.compile(r"(?<![\w.])([^\W\d]\w*)")
_LOG10_2 = math.log10(2)
_IMPLICIT = re.compile(r"(?<![\w.])\d[\d.]*\s*[^\W\d]|\)\s*[\w(]")
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
           ast.BitXor: "^"}
_COMPARE = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge, ast.Eq: sp.Eq,
            ast.NotEq: sp.Ne}
# What to call the refused node kinds in a message.
_REFUSED = {
    ast.Attribute: "attribute access ('.')", ast.Subscript: "indexing ('[...]')",
    ast.Lambda: "lambda", ast.IfExp: "if/else", ast.BoolOp: "and/or",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.JoinedStr: "f-strings", ast.FormattedValue: "f-strings", ast.Starred: "starred ('*')",
    ast.NamedExpr: "assignment expressions (':=')", ast.List: "lists", ast.Dict: "dicts",
    ast.Set: "sets", ast.Tuple: "tuples outside the pairs of Piecewise",
    ast.Compare: "comparisons outside the conditions of Piecewise",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slices",
}


class _Refused(Exception):
    """A reason to refuse the text; the public functions turn it into one error line."""


class _Syntax(_Refused):
    """Python's parser could not read the text at all."""


class _Limit(_Refused):
    """A refusal that states its own bound (size, depth, finiteness): no grammar appended."""


def parse_expression(text, *, name: str = "expression", symbols: Mapping | None = None) -> sp.Expr:
    """Read typed text as a scalar SymPy expression, through the whitelist in the module notes.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"(a*b - 1)^2/2"``.
    name : str, keyword-only
        What the text is, for error messages (``"loss"``, ``"--map"``).
    symbols : mapping of str to SymPy symbol, keyword-only, optional
        Symbols to use for given names (default: ``sp.Symbol(name)`` for every name).
        A name listed here is a symbol even if it is ``pi``.

    Returns
    -------
    sympy.Expr
        A finite scalar expression; decimals are exact rationals.

    Raises
    ------
    InvalidArgumentError
        For empty, too long or too deep text, and anything outside the grammar. Its
        attribute ``reason`` holds the refusal alone (without the argument and grammar).
    InvalidTypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> parse_expression("x^2 + 0.5*sin(pi*x)")
    x**2 + sin(pi*x)/2
    >>> parse_expression("2*pi", symbols={"pi": sp.Symbol("pi")}).free_symbols
    {pi}
    >>> parse_expression("9**9**9", name="loss")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gdmaps.InvalidArgumentError: loss could not be read as an expression: '9**9**9' (raises to \
the power 387420489; exponents are at most 1000 in absolute value)
    """
    symbols = {} if symbols is None else dict(symbols)
    return _parse(text, name, symbols)


def parse_number(text, *, name: str = "value") -> sp.Expr:
    """Read typed text as an exact, finite real number: ``"0.1"``, ``"-7/5"``, ``"sqrt(2)/2"``.

    The grammar is that of :func:`parse_expression` with no names but ``pi``.

    Examples
    --------
    >>> parse_number("0.1"), parse_number("2/3"), parse_number("pi/4")
    (1/10, 2/3, pi/4)
    >>> parse_number("sqrt(-1)", name="eta")
    Traceback (most recent call last):
    ...
    gdmaps.InvalidArgumentError: eta could not be read as a finite real number: 'sqrt(-1)' (it is I; \
a number is an expression without names other than pi, e.g. 0.5, 1e-3, 2/3, sqrt(2)/2, pi/4)
    """
    value = _parse(text, name, {}, "a number")
    how = "a number is an expression without names other than pi, e.g. 0.5, 1e-3, 2/3, sqrt(2)/2, pi/4"
    if value.free_symbols:
        names = ", ".join(sorted(map(str, value.free_symbols)))
        raise _error(name, text, _Limit(f"it has the names {names}; {how}"), "a real number")
    if value.is_extended_real is not True or value.is_finite is not True:
        raise _error(name, text, _Limit(f"it is {value}; {how}"), "a finite real number")
    return value


def parse_bindings(text, *, name: str = "values") -> dict[str, sp.Expr]:
    """Read ``"name = number; name = number"`` (``;`` or newlines between) as a dict.

    Each value goes through :func:`parse_number`; names follow the rules of the
    module notes and may not repeat.

    Examples
    --------
    >>> parse_bindings("y = 2\\nc = 0.25; d = -pi")
    {'y': 2, 'c': 1/4, 'd': -pi}
    >>> parse_bindings("y = __import__('os')", name="-p")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gdmaps.InvalidArgumentError: -p y could not be read as a number: "__import__('os')" (calls ...
    """
    _check_text(text, name)
    out = {}
    for part in (p.strip() for line in text.splitlines() for p in line.split(";")):
        if not part:
            continue
        key, sep, body = (s.strip() for s in part.partition("="))
        if not sep or body.startswith("="):
            raise InvalidArgumentError(f"{name} could not be read: {part!r} is not 'name = number',"
                                       f" e.g. 'y = 2'")
        try:
            _check_name(key, symbols={}, allow_pi=False)
        except _Refused as exc:
            raise InvalidArgumentError(f"{name} could not be read: {part!r} ({exc}); write"
                                       f" 'name = number', e.g. 'y = 2'") from None
        if key in out:
            raise InvalidArgumentError(f"{name} could not be read: {text!r} gives {key} twice;"
                                       f" each name takes one value")
        out[key] = parse_number(body, name=f"{name} {key}")
    if not out:
        raise InvalidArgumentError(f"{name} could not be read: {text!r} holds no 'name = number',"
                                   f" e.g. 'y = 2'")
    return out


# -- the walk -------------------------------------------------------------------------------

def _check_text(text, name):
    if not isinstance(text, str):
        raise InvalidTypeError(f"{name} must be a string, got {type(text).__name__}")
    if not text.strip():
        raise InvalidArgumentError(f"{name} is empty, got {text!r}; write an expression, e.g. (a*b - 1)**2/2")
    if len(text) > MAX_LENGTH:
        raise InvalidArgumentError(
            f"{name} is {len(text)} characters long, {_show(text)}; at most {MAX_LENGTH} are allowed")


def _parse(text, name, symbols, what="an expression"):
    _check_text(text, name)
    try:
        # '^' is a power with the precedence of '**' (SymPy's convert_xor): swap it before parsing
        expr = _Converter(text.strip().replace("^", "**"), symbols, text).run()
    except _Refused as exc:
        raise _error(name, text, exc, what) from None
    return expr


def _error(name, text, refusal, what="an expression"):
    """The one-line error; ``.reason`` holds the refusal alone, for callers that word their own."""
    allowed = "" if isinstance(refusal, _Limit) else f"; {ALLOWED}"
    err = InvalidArgumentError(f"{name} could not be read as {what}: {_show(text)} ({refusal}){allowed}")
    err.reason = str(refusal)
    return err


def _show(text):
    text = text.strip()
    return repr(text if len(text) <= 200 else text[:200] + "...")


def _check_name(ident, *, symbols, allow_pi=True):
    if not ident.isidentifier() or keyword.iskeyword(ident):
        raise _Refused(f"{ident!r} is not a name (names are Python identifiers, not keywords)")
    if ident.startswith("_"):
        raise _Refused(f"the name {ident!r} starts with '_', which names may not")
    if ident.lower() in _NON_NUMBERS:
        raise _Refused(f"{ident!r} is not a finite number and may not be a name")
    if ident == "pi" and not allow_pi and ident not in symbols:
        raise _Refused("'pi' is the constant and cannot take a value")


class _Converter:
    """Walks one syntax tree and builds its SymPy expression, refusing what is not allowed."""

    def __init__(self, text, symbols, original):
        self.text, self.original = text, original
        self.symbols = symbols
        self.called, self.named = set(), set()

    def run(self):
        for m in _NAME.finditer(self.text):  # a clearer message than Python's syntax error
            word = m.group(1)
            if keyword.iskeyword(word) and word not in ("True", "False", "None"):
                raise _Refused(f"uses the Python keyword {word!r}; names must not be keywords (write"
                               f" e.g. 'lam' for lambda, Piecewise(...) for conditions)")
        try:
            tree = ast.parse(self.text, mode="eval")
        except SyntaxError as exc:
            where = f" at column {exc.offset}" if exc.offset and "^" not in self.original else ""
            where += f": {exc.msg}" if exc.msg and exc.msg != "invalid syntax" else ""
            hint = "; multiplication needs an explicit '*'" if _IMPLICIT.search(self.text) else ""
            raise _Syntax(f"syntax error{where}{hint}") from None
        except ValueError:
            raise _Syntax("it contains null bytes") from None
        except (RecursionError, MemoryError, OverflowError):
            raise _Limit("is nested or chained too deeply for Python's parser (a sum of about 2000"
                         " terms is its limit)") from None
        try:
            expr = self.expr(tree.body, 1)
        except _Refused:
            raise
        except RecursionError:
            raise _Limit(f"nests too deeply; at most {MAX_DEPTH} levels are allowed") from None
        except (ArithmeticError, ValueError, TypeError, AttributeError, sp.SympifyError) as exc:
            # SymPy refused to build a node (e.g. a wrong number of arguments)
            raise _Refused(f"cannot be built ({type(exc).__name__}: {_first_line(exc)})") from None
        both = sorted(self.called & self.named)
        if both:
            raise _Refused(f"uses {both[0]} both as a name and as a function")
        if not isinstance(expr, sp.Expr):
            raise _Refused(f"is a {type(expr).__name__}, not a scalar expression")
        _check_finite(expr)
        _check_size(expr)
        return expr

    # ---- expressions
    def expr(self, node, depth):
        if depth > MAX_DEPTH:
            raise _Limit(f"nests more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return self.binop(node, depth)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            value = self.expr(node.operand, depth + 1)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise _Refused(f"uses {self.describe(node)}, which is not allowed")

    def describe(self, node):
        if isinstance(node, ast.Constant):
            return f"the {type(node.value).__name__} {node.value!r}"
        if isinstance(node, ast.BinOp):
            return f"the operator {_op_symbol(node.op)!r}"
        if isinstance(node, ast.UnaryOp):
            return f"the operator {_op_symbol(node.op)!r}"
        return _REFUSED.get(type(node), type(node).__name__)

    def constant(self, node):
        value = node.value
        if isinstance(value, bool) or value is None or not isinstance(value, (int, float)):
            raise _Refused(f"uses {self.describe(node)}; numbers are real decimals such as 2, 0.5 or 1e-3")
        if isinstance(value, int):
            if value.bit_length() * _LOG10_2 > MAX_LITERAL_DIGITS:
                raise _Limit(f"has an integer literal of more than {MAX_LITERAL_DIGITS} digits")
            return sp.Integer(value)
        return _decimal(ast.get_source_segment(self.text, node) or repr(value))

    def name(self, ident):
        _check_name(ident, symbols=self.symbols)
        self.named.add(ident)
        if ident in self.symbols:
            return self.symbols[ident]
        return sp.pi if ident == "pi" else sp.Symbol(ident)

    def binop(self, node, depth):
        op = type(node.op)
        if op in (ast.Pow, ast.BitXor):
            base = self.expr(node.left, depth + 1)
            exponent = self.expr(node.right, depth + 1)
            return _power(base, exponent)
        # a chain a + b - c (or a * b / c) is one level: flatten it, left to right
        additive = op in (ast.Add, ast.Sub)
        ops = (ast.Add, ast.Sub) if additive else (ast.Mult, ast.Div)
        operands = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ops):
            operands.append((type(node.op), node.right))
            node = node.left
        terms = [self.expr(node, depth + 1)]
        for kind, right in reversed(operands):
            value = self.expr(right, depth + 1)
            if kind is ast.Sub:
                value = -value
            elif kind is ast.Div:
                if value.is_zero:
                    shown = ast.get_source_segment(self.text, right)
                    raise _Limit("divides by zero" + (f" ({shown} = 0)" if shown != "0" else ""))
                value = _power(value, sp.S.NegativeOne)
            terms.append(value)
        if not additive:  # the numbers of a product multiply: bound them before SymPy does
            factors = [f for t in terms for f in sp.Mul.make_args(t)]
            size = sum(_digits(f) for f in factors if f.is_Rational)
            if size > MAX_NUMBER_DIGITS:
                raise _Limit(f"multiplies numbers into one of about {size:.3g} digits; exact numbers"
                             f" are limited to {MAX_NUMBER_DIGITS} digits")
            # SymPy merges roots of numbers, sqrt(2)*sqrt(3) = sqrt(6), and factors the product
            roots = sum(_digits(f.base) for f in factors if f.is_Pow and f.base.is_Rational)
            if roots > MAX_ROOT_DIGITS:
                raise _Limit(f"multiplies roots of numbers with about {roots:.3g} digits in all; roots"
                             f" take numbers of at most {MAX_ROOT_DIGITS} digits")
        value = sp.Add(*terms) if additive else sp.Mul(*terms)
        _check_size(value)
        return value

    def call(self, node, depth):
        func = node.func
        if not isinstance(func, ast.Name):
            raise _Refused(f"calls the result of {self.describe(func)}; only the listed functions"
                           f" may be called, by their names")
        ident = func.id
        if ident not in FUNCTIONS:
            raise _Refused(f"calls {ident}, which is not an allowed function")
        if node.keywords:
            raise _Refused(f"passes keyword arguments to {ident}; arguments are positional")
        build, least, most = FUNCTIONS[ident]
        n = len(node.args)
        if n < least or most is not None and n > most:
            many = (f"{least}" if least == most else f"at least {least}"
                    + ("" if most is None else f" and at most {most}"))
            raise _Refused(f"calls {ident} with {n} arguments; it takes {many}")
        self.called.add(ident)
        if ident == "Piecewise":
            args = [self.piece(a, depth + 1) for a in node.args]
        else:
            args = [self.expr(a, depth + 1) for a in node.args]
        if ident == "exp":
            _check_exp(args[0])
        if ident == "log" and n == 2:  # log(x, b) = log(x)/log(b)
            base = sp.log(args[1])
            if base.is_zero or base.has(sp.zoo, sp.nan, sp.oo, sp.S.NegativeInfinity):
                raise _Limit(f"takes log to the base {_short(args[1])}; a base is positive and not 1")
        value = build(*args)
        _check_finite(value, f"{ident}(...) of these arguments")
        _check_size(value)
        return value

    def piece(self, node, depth):
        if not (isinstance(node, ast.Tuple) and len(node.elts) == 2):
            raise _Refused("gives Piecewise an argument that is not a pair (value, condition)")
        return (self.expr(node.elts[0], depth + 1), self.condition(node.elts[1], depth + 1))

    # ---- conditions (only inside Piecewise)
    def condition(self, node, depth):
        if depth > MAX_DEPTH:
            raise _Limit(f"nests more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return sp.true if node.value else sp.false
        if isinstance(node, ast.Compare):
            values = [self.expr(node.left, depth + 1)] + [self.expr(c, depth + 1) for c in node.comparators]
            parts = [_COMPARE[type(op)](a, b) for op, a, b in zip(node.ops, values, values[1:])
                     if type(op) in _COMPARE or _refuse_op(op)]
            return sp.And(*parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
            left, right = self.condition(node.left, depth + 1), self.condition(node.right, depth + 1)
            return sp.And(left, right) if isinstance(node.op, ast.BitAnd) else sp.Or(left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            return sp.Not(self.condition(node.operand, depth + 1))
        raise _Refused(f"gives Piecewise the condition {ast.get_source_segment(self.text, node)!r};"
                       f" conditions are comparisons (x < 1), joined by & | ~, or True")


def _refuse_op(op):
    raise _Refused(f"uses the comparison {_op_symbol(op)!r}; conditions compare with < <= > >= == !=")


def _op_symbol(op):
    return {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
            ast.BitOr: "|", ast.BitAnd: "&", ast.Invert: "~", ast.Not: "not", ast.Is: "is",
            ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}.get(type(op), type(op).__name__)


def _first_line(exc):
    return str(exc).splitlines()[0][:120] if str(exc) else ""


def _decimal(literal):
    """A decimal literal as the exact rational it writes: '0.1' -> 1/10, '1e-3' -> 1/1000."""
    try:
        d = Decimal(literal.replace("_", ""))
    except InvalidOperation:
        raise _Refused(f"has the number {literal!r}, which cannot be read as a decimal") from None
    sign, digits, exponent = d.as_tuple()
    if len(digits) > MAX_LITERAL_DIGITS:
        raise _Limit(f"has a literal of more than {MAX_LITERAL_DIGITS} digits")
    if not isinstance(exponent, int) or abs(exponent) > MAX_NUMBER_DIGITS:
        raise _Limit(f"has the literal {literal!r}, whose exponent is beyond +-{MAX_NUMBER_DIGITS}")
    num, den = d.as_integer_ratio()
    return sp.Rational(num, den)


def _log10(n: int) -> float:
    n = abs(n)
    return math.log10(n) if 0 < n.bit_length() < 1000 else n.bit_length() * _LOG10_2


def _digits(r: sp.Rational) -> float:
    """Decimal digits, roughly, of the larger of numerator and denominator: log10 of it."""
    return max(_log10(int(r.p)), _log10(int(r.q)))


def _power(base, exponent):
    if exponent.is_Number:
        if exponent.is_Rational and abs(exponent) > MAX_EXPONENT:
            raise _Limit(f"raises to the power {_short(exponent)}; exponents are at most {MAX_EXPONENT}"
                         f" in absolute value")
        if base.is_Rational and exponent.is_Rational:
            if base.is_zero and exponent.is_negative:
                raise _Limit(f"divides by zero (0**{exponent})")
            if not exponent.is_Integer and _digits(base) > MAX_ROOT_DIGITS:
                raise _Limit(f"takes a root of {_short(base)}, a number of about {_digits(base):.3g}"
                             f" digits; roots take numbers of at most {MAX_ROOT_DIGITS} digits")
            size = float(abs(exponent)) * _digits(base)
            if size > MAX_NUMBER_DIGITS:
                raise _Limit(f"{_short(base)}**{_short(exponent)} would have about {size:.3g} digits;"
                             f" exact numbers are limited to {MAX_NUMBER_DIGITS} digits")
    value = sp.Pow(base, exponent)
    _check_finite(value, f"the power {_short(base)}**{_short(exponent)}")
    _check_size(value)
    return value


def _check_exp(arg):
    """exp(n*log(b)) evaluates to b**n: bound it before SymPy computes it."""
    for term in sp.Add.make_args(arg):
        if not term.has(sp.log):
            continue
        coeff, rest = term.as_coeff_Mul()
        if abs(coeff) > MAX_EXPONENT:
            raise _Limit(f"takes exp of {_short(term)}; coefficients of a log in exp are at most"
                         f" {MAX_EXPONENT}")
        if isinstance(rest, sp.log) and rest.args[0].is_Rational:
            if not coeff.is_Integer and _digits(rest.args[0]) > MAX_ROOT_DIGITS:
                raise _Limit(f"takes exp({_short(term)}), a root of a number of more than"
                             f" {MAX_ROOT_DIGITS} digits; roots take numbers of at most {MAX_ROOT_DIGITS}")
            size = float(abs(coeff)) * _digits(rest.args[0])
            if size > MAX_NUMBER_DIGITS:
                raise _Limit(f"exp({_short(term)}) would have about {size:.3g} digits; exact numbers"
                             f" are limited to {MAX_NUMBER_DIGITS} digits")


def _check_finite(expr, what=None):
    if expr.has(sp.zoo, sp.nan, sp.oo, sp.S.NegativeInfinity):
        where = f" ({what} is {expr})" if what else ""
        raise _Limit(f"is not finite{where}: it divides by zero or reaches an infinity")


def _check_size(expr):
    for r in expr.atoms(sp.Rational):
        if _digits(r) > MAX_NUMBER_DIGITS:
            raise _Limit(f"builds a number of more than {MAX_NUMBER_DIGITS} digits")


def _short(value):
    text = str(value) if not (value.is_Rational and _digits(value) > 60) else "a huge number"
    return text if len(text) <= 60 else text[:57] + "..."
