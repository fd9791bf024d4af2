"""gdmaps.core.parsing: the whitelist grammar against hand-built SymPy, every refusal, the limits.

Layers: accepted forms equal the expression built by hand in SymPy; each refused class of
Python syntax raises InvalidArgumentError naming the argument, the text and what is allowed;
the size, depth and finiteness limits hold without evaluating anything large; and random
text (hypothesis) never raises anything else and never runs code.
"""

import builtins
import contextlib
import pathlib
import re
import string
import time

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import gdmaps
from gdmaps import InvalidArgumentError, InvalidTypeError
from gdmaps.core.parsing import (FUNCTIONS, MAX_ARGUMENTS, MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH,
                                 MAX_LITERAL_DIGITS, MAX_NUMBER_DIGITS, MAX_ROOT_DIGITS, parse_bindings,
                                 parse_expression, parse_number)
from gdmaps.core.symbols import exact

a, b, c, x, y, theta = sp.symbols("a b c x y theta")
R = sp.Rational


# -- accepted forms -----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("(a*b - 1)**2/2", (a * b - 1) ** 2 / 2),
    ("(a*b - y)^2/2", (a * b - y) ** 2 / 2),                # ^ is a power (SymPy's convert_xor)
    ("x^2 + 1", x**2 + 1),                                  # ... with the precedence of **
    ("a^b^c", a ** (b**c)),                                 # ... and its right associativity
    ("-x^2", -(x**2)),
    ("x**-1", 1 / x),
    ("+x - -y", x + y),
    ("a/b/c", a / (b * c)),
    ("a - b - c", a - b - c),
    ("2*x*3", 6 * x),
    ("0.1*x", R(1, 10) * x),                                # decimals are exact
    ("1.4e-3", R(7, 5000)),
    ("0.30000000000000001", R(30000000000000001, 10**17)),  # every digit typed is kept
    ("1_000.5 + .5 + 5.", R(1006)),
    ("0x1F", sp.Integer(31)),
    ("2**0.5", sp.sqrt(2)),
    ("pi/4", sp.pi / 4),
    ("E + I + S + N + Q + beta + gamma", sum(sp.symbols("E I S N Q beta gamma"))),  # plain symbols
    ("theta", theta),
    ("x # a comment", x),
    ("sqrt(x) + exp(-x**2) + log(x, 2) + ln(x)", sp.sqrt(x) + sp.exp(-x**2) + sp.log(x, 2) + sp.log(x)),
    ("abs(x) + Abs(y) + max(x, y, 0) + Min(x, 1)", sp.Abs(x) + sp.Abs(y) + sp.Max(x, y, 0) + sp.Min(x, 1)),
    ("relu(x - 1)", sp.Max(0, x - 1)),
    ("sigmoid(x)", 1 / (1 + sp.exp(-x))),
    ("softplus(x)", sp.log(1 + sp.exp(x))),
    ("atan2(y, x)", sp.atan2(y, x)),
    ("Piecewise((2*x, x < 1/2), (2 - 2*x, True))",
     sp.Piecewise((2 * x, x < R(1, 2)), (2 - 2 * x, True))),
    ("Piecewise((x, 0 < x <= 1), (0, True))", sp.Piecewise((x, (x > 0) & (x <= 1)), (0, True))),
    ("Piecewise((x, (x > 0) & ~(y >= 1) | (x == y)), (1, x != 2), (0, True))",
     sp.Piecewise((x, ((x > 0) & ~(y >= 1)) | sp.Eq(x, y)), (1, sp.Ne(x, 2)), (0, True))),
    ("exp(2*log(3))", sp.Integer(9)),
    ("10**400*10**500", sp.Integer(10) ** 900),             # large numbers still pass
    ("x**1000 + x**-1000", x**1000 + x**-1000),
])
def test_accepted_forms_equal_hand_built_sympy(text, expected):
    assert parse_expression(text) == expected


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_of_the_table_builds_its_sympy_function(name):
    build, least, most = FUNCTIONS[name]
    if name == "Piecewise":
        assert parse_expression("Piecewise((x, x > 0), (0, True))") == sp.Piecewise((x, x > 0), (0, True))
        return
    args = [x, y][:least]
    assert parse_expression(f"{name}({', '.join(map(str, args))})") == build(*args)


def test_floats_read_as_the_decimal_they_print_as_in_exact():
    for text in ("0.1", "1.4", "2.5e-7", "123.456"):
        assert parse_expression(text) == exact(float(text)) == parse_number(text)


def test_names_are_plain_symbols_and_pi_the_constant_unless_given():
    expr = parse_expression("a*x + pi")
    assert all(type(s) is sp.Symbol and s.assumptions0 == sp.Symbol("q").assumptions0
               for s in expr.free_symbols)
    assert sp.pi in expr.atoms()
    p = sp.Symbol("pi")
    assert parse_expression("2*pi", symbols={"pi": p}) == 2 * p
    real = sp.Symbol("x", real=True)
    assert parse_expression("x + 1", symbols={"x": real}) == real + 1


def test_parse_number_and_bindings():
    assert parse_number("sqrt(2)/2 + 1/3") == sp.sqrt(2) / 2 + R(1, 3)
    assert parse_number(" -7/5 ") == R(-7, 5)
    assert parse_bindings("y = 2\nc = 0.25; d = -pi;") == {"y": 2, "c": R(1, 4), "d": -sp.pi}


# -- refusals ---------------------------------------------------------------------------------

ALLOWED = re.escape("allowed: numbers, names, + - * / ** (or ^), parentheses, pi and the functions exp log")


@pytest.mark.parametrize("text, reason", [
    ("x.real", r"uses attribute access \('\.'\), which is not allowed"),
    ("().__class__.__bases__", r"uses attribute access"),
    ("x[0]", r"uses indexing \('\[\.\.\.\]'\)"),
    ("'text'", r"uses the str 'text'; numbers are real decimals"),
    ("b'x'", r"uses the bytes b'x'"),
    ("f'{x}'", r"uses f-strings"),
    ("1j", r"uses the complex 1j"),
    ("None", r"uses the NoneType None"),
    ("True + x", r"uses the bool True"),
    ("(lambda: 1)()", r"uses the Python keyword 'lambda'"),
    ("[c for c in x]", r"uses the Python keyword 'for'"),
    ("x if y else 0", r"uses the Python keyword 'if'.*Piecewise"),
    ("x and y", r"uses the Python keyword 'and'"),
    ("not x", r"uses the Python keyword 'not'"),
    ("[x]", r"uses lists"),
    ("{x: 1}", r"uses dicts"),
    ("{x}", r"uses sets"),
    ("(x, y)", r"uses tuples outside the pairs of Piecewise"),
    ("x < 1", r"uses comparisons outside the conditions of Piecewise"),
    ("x // 2", r"uses the operator '//'"),
    ("x % 2", r"uses the operator '%'"),
    ("x @ y", r"uses the operator '@'"),
    ("x << 2", r"uses the operator '<<'"),
    ("x & y", r"uses the operator '&'"),
    ("~x", r"uses the operator '~'"),
    ("open('f').read()", r"calls the result of attribute access"),
    ("__import__('os')", r"calls __import__, which is not an allowed function"),
    ("getattr(x, 'y')", r"calls getattr, which is not an allowed function"),
    ("eval('1')", r"calls eval, which is not an allowed function"),
    ("sympify('x')", r"calls sympify, which is not an allowed function"),
    ("Symbol('x')", r"calls Symbol, which is not an allowed function"),
    ("gamma(x)", r"calls gamma, which is not an allowed function"),
    ("sin(*x)", r"uses starred"),
    ("log(x, base=2)", r"passes keyword arguments to log"),
    ("sin(x, y)", r"calls sin with 2 arguments; it takes 1"),
    ("Max()", r"calls Max with 0 arguments; it takes at least 1"),
    ("exp * exp(x)", r"uses exp both as a name and as a function"),
    ("_x + 1", r"the name '_x' starts with '_'"),
    ("__builtins__", r"the name '__builtins__' starts with '_'"),
    ("nan", r"'nan' is not a finite number and may not be a name"),
    ("x + oo", r"'oo' is not a finite number"),
    ("zoo*x", r"'zoo' is not a finite number"),
    ("inf - x", r"'inf' is not a finite number"),
    ("Infinity", r"'Infinity' is not a finite number"),
    ("2x", r"syntax error at column 1: invalid decimal literal; multiplication needs an explicit '\*'"),
    ("(x + 1", r"syntax error at column 1: '\(' was never closed"),
    ("x := 1", r"syntax error"),
    ("x = 1", r"syntax error"),
    ("x; y", r"syntax error"),
    ("\x00", r"syntax error|null bytes"),
    ("Piecewise(x)", r"gives Piecewise an argument that is not a pair \(value, condition\)"),
    ("Piecewise((x, x))", r"gives Piecewise the condition 'x'; conditions are comparisons"),
    ("Piecewise((x, x is y))", r"uses the Python keyword 'is'"),
])
def test_refused_syntax_names_argument_text_and_grammar(text, reason):
    with pytest.raises(InvalidArgumentError) as info:
        parse_expression(text, name="loss")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"loss could not be read as an expression: {text.strip()!r} (")
    assert re.search(reason, message), message
    assert re.search(ALLOWED, message), message


@pytest.mark.parametrize("text, reason", [
    ("x**2 + 1/0", r"divides by zero"),
    ("x/(1 - 1)", r"divides by zero \(\(1 - 1\) = 0\)|divides by zero \(1 - 1 = 0\)"),
    ("0**-1", r"divides by zero \(0\*\*-1\)"),
    ("log(0)", r"is not finite \(log\(\.\.\.\) of these arguments is zoo\)"),
    ("tan(pi/2)", r"is not finite"),
    ("atanh(1)", r"is not finite"),
    ("log(x, 1)", r"takes log to the base 1; a base is positive and not 1"),
    ("log(x, 0)", r"takes log to the base 0"),
    ("Min(x, 1/0)", r"divides by zero"),
    ("9**9**9", r"raises to the power 387420489; exponents are at most 1000"),
    ("x**1001", r"raises to the power 1001"),
    ("x^-1001", r"raises to the power -1001"),
    ("11**999", r"would have about 1.04e\+03 digits; exact numbers are limited to 1000 digits"),
    ("2**(1/3)**-2000", r"exponents are at most 1000"),
    ("exp(10**6*log(10))", r"coefficients of a log in exp are at most 1000"),
    ("exp(1000*log(10**999))", r"would have about 9.99e\+05 digits"),
    ("10**999*10**999", r"multiplies numbers into one of about 2e\+03 digits"),
    ("1" * (MAX_LITERAL_DIGITS + 1), rf"has an integer literal of more than {MAX_LITERAL_DIGITS} digits"),
    ("0." + "1" * (MAX_LITERAL_DIGITS + 1), rf"has a literal of more than {MAX_LITERAL_DIGITS} digits"),
    ("1e99999", r"whose exponent is beyond \+-1000"),
    ("1e-1001", r"whose exponent is beyond|builds a number of more than 1000 digits"),
    ("sqrt(10**999)**1000", r"takes a root of a huge number, a number of about 999 digits; roots take"
                            r" numbers of at most 100 digits"),
    ("(10**200 + 1)**(1/3)", r"takes a root of a huge number"),
    ("exp(log(10**200 + 1)/2)", r"a root of a number of more than 100 digits"),
    ("*".join(f"sqrt(10**30 + {k})" for k in range(5)),
     r"multiplies roots of numbers with about \d+ digits in all; roots take numbers of at most 100"),
    ("-" * (MAX_DEPTH + 1) + "x", rf"nests more than {MAX_DEPTH} levels deep"),
    ("exp(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), rf"nests more than {MAX_DEPTH} levels"),
    ("(" * 300 + "x" + ")" * 300, r"too many nested parentheses|nests more than"),
])
def test_limits_and_non_finite_values_are_refused_quickly(text, reason):
    start = time.perf_counter()
    with pytest.raises(InvalidArgumentError) as info:
        parse_expression(text, name="loss")
    assert time.perf_counter() - start < 2.0
    message = str(info.value)
    assert "\n" not in message and message.startswith("loss could not be read as an expression: ")
    assert re.search(reason, message), message


def test_limits_are_the_stated_constants():
    assert (MAX_LENGTH, MAX_DEPTH, MAX_LITERAL_DIGITS, MAX_EXPONENT, MAX_NUMBER_DIGITS,
            MAX_ROOT_DIGITS, MAX_ARGUMENTS) == (10_000, 100, 100, 1000, 1000, 100, 100)
    long_sum = "+".join(["x"] * 2000)  # a long sum is one level of nesting
    assert parse_expression(long_sum) == 2000 * x
    with pytest.raises(InvalidArgumentError, match="chained too deeply for Python's parser"):
        parse_expression("+".join(["x"] * (MAX_LENGTH // 2)))
    with pytest.raises(InvalidArgumentError, match=rf"loss is {MAX_LENGTH + 1} characters long,"
                                                    rf" .*; at most {MAX_LENGTH} are allowed"):
        parse_expression("x" * (MAX_LENGTH + 1), name="loss")
    assert parse_expression("-" * (MAX_DEPTH - 1) + "x") == (-x if MAX_DEPTH % 2 == 0 else x)
    assert parse_expression("1" * MAX_LITERAL_DIGITS) == sp.Integer("1" * MAX_LITERAL_DIGITS)
    assert parse_expression("sqrt(10**99 + 1)") == sp.sqrt(sp.Integer(10) ** 99 + 1)


def test_max_and_min_of_symbols_are_kept_as_written_and_bounded():
    assert parse_expression("Max(1, 2, -3) + Min(1, 2)") == 3  # numbers are evaluated
    assert parse_expression("Max(x, y) - Min(y, x)") == sp.Max(x, y) - sp.Min(x, y)
    many = ", ".join(f"x{i} - {i}" for i in range(MAX_ARGUMENTS))
    start = time.perf_counter()
    assert isinstance(parse_expression(f"Max({many})"), sp.Max)  # SymPy's pairwise checks: minutes
    assert time.perf_counter() - start < 2.0
    with pytest.raises(InvalidArgumentError, match=f"calls Max with {MAX_ARGUMENTS + 1} arguments;"
                                                   f" it takes at least 1 and at most {MAX_ARGUMENTS}"):
        parse_expression(f"Max({many}, x)")


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_refused(text):
    with pytest.raises(InvalidArgumentError, match=r"loss is empty, got .*; write an expression"):
        parse_expression(text, name="loss")


@pytest.mark.parametrize("value", [None, 3, sp.Symbol("x"), b"x", ["x"]])
def test_text_must_be_a_string(value):
    with pytest.raises(InvalidTypeError, match="loss must be a string, got"):
        parse_expression(value, name="loss")


@pytest.mark.parametrize("text, message", [
    ("x + 1", r"eta could not be read as a real number: 'x \+ 1' \(it has the names x; a number is"),
    ("sqrt(-1)", r"could not be read as a finite real number: 'sqrt\(-1\)' \(it is I;"),
    ("1/0", r"could not be read as a number: '1/0' \(divides by zero\)"),
])
def test_parse_number_refuses_non_numbers(text, message):
    with pytest.raises(InvalidArgumentError, match=message):
        parse_number(text, name="eta")


@pytest.mark.parametrize("text, message", [
    ("y: 2", r"-p could not be read: 'y: 2' is not 'name = number'"),
    ("y == 2", r"is not 'name = number'"),
    ("_y = 2", r"the name '_y' starts with '_'"),
    ("pi = 3", r"'pi' is the constant and cannot take a value"),
    ("nan = 3", r"'nan' is not a finite number"),
    ("lambda = 3", r"'lambda' is not a name"),
    ("y = 1; y = 2", r"gives y twice; each name takes one value"),
    (" ; ", r"-p is empty|holds no 'name = number'"),
    ("y = b", r"-p y could not be read as a real number: 'b'"),
    ("y = __import__('os')", r"-p y could not be read as a number: .*calls __import__"),
])
def test_parse_bindings_refusals(text, message):
    with pytest.raises(InvalidArgumentError, match=message):
        parse_bindings(text, name="-p")


# -- no path from text to Python ----------------------------------------------------------

def test_no_module_uses_sympys_eval_based_parser():
    root = pathlib.Path(gdmaps.__file__).parent
    for path in root.rglob("*.py"):
        source = path.read_text()
        assert not re.search(r"\bparse_expr\b", source), path
        assert "sympy.parsing" not in source, path


_TOKENS = ["x", "y", "1", "0", "2.5", "1e9", "9", "pi", "nan", "_", "__import__", "os", "system",
           "open", "eval", "exec", "lambda", "getattr", "exp", "log", "Max", "Piecewise", "True",
           "(", ")", "[", "]", "{", "}", ".", ",", ":", ";", "=", "==", "<", "+", "-", "*", "**",
           "/", "//", "%", "^", "&", "|", "~", "@", "'", '"', "f'", "#", " ", "\n", "\\", "!"]


@contextlib.contextmanager
def no_eval():
    """Python's eval, exec and __import__ of os/subprocess fail loudly while parsing."""
    real_import = builtins.__import__

    def guarded(name, *args, **kwargs):
        if name.split(".")[0] in ("os", "subprocess", "shutil", "posix"):
            raise AssertionError(f"the parser imported {name}")
        return real_import(name, *args, **kwargs)

    def forbidden(*_args, **_kwargs):
        raise AssertionError("the parser called eval or exec")

    saved = builtins.eval, builtins.exec, builtins.__import__
    builtins.eval, builtins.exec, builtins.__import__ = forbidden, forbidden, guarded
    try:
        yield
    finally:
        builtins.eval, builtins.exec, builtins.__import__ = saved


def _only_clean_errors(text):
    try:
        with no_eval():
            out = parse_expression(text, name="text")
    except (InvalidArgumentError, InvalidTypeError) as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(out, sp.Expr)
    assert not out.has(sp.nan, sp.zoo, sp.oo, -sp.oo)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=string.printable, max_size=60))
def test_random_printable_text_gives_an_expression_or_a_clean_error(text):
    _only_clean_errors(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=25).map("".join))
def test_random_token_soup_never_runs_code(text):
    _only_clean_errors(text)


_ENTRY_TOKENS = _TOKENS + ["x:", "y:", "a =", "a", "b", "eta", "sqrt", "-1", "abs", "sigmoid"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ENTRY_TOKENS), max_size=20).map("".join))
def test_random_text_at_every_entry_point_gives_a_map_or_a_clean_error(text):
    for entry in (gdmaps.loss_from_text, gdmaps.maps.from_text, lambda t: gdmaps.GDMap(t, ["x"])):
        try:
            with no_eval():
                out = entry(text)
        except (InvalidArgumentError, InvalidTypeError) as exc:
            assert "\n" not in str(exc)
            continue
        assert isinstance(out, gdmaps.Map)
