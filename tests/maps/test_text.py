"""Maps typed as text: the grammar, round trips against the built-in maps, and errors."""

import math

import numpy as np
import pytest
import sympy as sp

from gdmaps import InvalidArgumentError, InvalidTypeError
from gdmaps.maps import from_text, henon, logistic, standard

HENON = "x: 1 - a*x**2 + y; y: b*x"


def same_map(m, n):
    return (m.state == n.state and m.template == n.template and m.exprs == n.exprs
            and m.parameters == n.parameters and m.values == n.values)


# -- round trips ------------------------------------------------------------------

@pytest.mark.parametrize("text, params", [
    (HENON, {"a": 1.4, "b": 0.3}),
    (HENON, {sp.Symbol("a"): 1.4, sp.Symbol("b"): sp.Rational(3, 10)}),
    (HENON + "; a = 1.4; b = 0.3", None),
    ("a = 7/5\nb = 0.3\nx: 1 - a*x^2 + y   # ^ is a power\ny: b*x\n", None),
    (HENON + "; a = 99; b = 0.3", {"a": 1.4}),  # params override inline values
])
def test_henon_round_trip(text, params):
    assert same_map(from_text(text, params), henon())


def test_round_trips_other_maps():
    assert same_map(from_text("x: r*x*(1 - x); r = 3.7"), logistic(3.7))
    assert same_map(from_text("theta: theta + p + k*sin(theta); p: p + k*sin(theta); k = 0.971635"),
                    standard(0.971635))


def test_state_in_written_order_and_numeric_evaluation():
    m = from_text("y: b*x; x: 1 - a*x**2 + y; a = 1.4; b = 0.3")
    assert m.state == sp.symbols("y x")
    np.testing.assert_allclose(m([1.0, 0.5]), [0.15, 1 - 1.4 * 0.25 + 1.0], rtol=1e-15)


# -- names --------------------------------------------------------------------------

def test_sympy_builtin_names_are_plain_symbols():
    m = from_text("""
        S: S - beta*S*I/N
        E: E + beta*S*I/N - sigma*E
        I: I + sigma*E - gamma*I
        Q: Q + gamma*I
    """)
    assert m.state == sp.symbols("S E I Q")
    assert all(type(s) is sp.Symbol for s in m.state + m.parameters)
    assert [p.name for p in m.parameters] == ["beta", "N", "sigma", "gamma"]  # first appearance
    assert m.free_parameters == m.parameters
    S, I, beta, N = sp.symbols("S I beta N")
    assert m.exprs[0] == S - beta * S * I / N


def test_free_parameters_bind_later():
    m = from_text(HENON, {"b": 0.3})
    assert m.free_parameters == (sp.Symbol("a"),)
    assert same_map(m.subs(a=1.4), henon())


def test_functions_and_pi():
    m = from_text("theta: theta + p + k*sin(2*pi*theta)/(2*pi); p: p + k*sin(2*pi*theta)/(2*pi);"
                  " k = pi/4")
    assert m.values == {sp.Symbol("k"): sp.pi / 4}
    theta, p = 0.3, 0.1
    p_new = p + math.pi / 4 * math.sin(2 * math.pi * theta) / (2 * math.pi)
    np.testing.assert_allclose(m([theta, p]), [theta + p_new, p_new], rtol=1e-15)


@pytest.mark.parametrize("text, params", [("x: pi*x; pi = 2", None), ("x: pi*x", {"pi": 2}),
                                          ("pi: 2*pi", None)])
def test_pi_is_a_symbol_when_named(text, params):
    m = from_text(text, params)
    assert sp.pi not in m.exprs[0].atoms()
    np.testing.assert_allclose(m([3.0]), [6.0])


def test_exact_parameter_values():
    m = from_text("x: a*x*(1 - x); a = sqrt(2) + 2")
    assert m.values == {sp.Symbol("a"): sp.sqrt(2) + 2}


def test_piecewise_with_true():
    m = from_text("x: Piecewise((2*x, x < 1/2), (2 - 2*x, True))")
    np.testing.assert_allclose(m(np.array([[0.25], [0.75]])), [[0.5], [0.5]])


# -- errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("", r"text has no components, got ''; text must hold components 'name: expression'"),
    ("a = 1; # only a comment", r"text has no components, got 'a = 1; # only a comment'"),
    ("x 1 - a*x", (r"text statement 'x 1 - a\*x' is neither a component 'name: expression'"
                  r" nor a parameter value 'name = number'")),
    ("x == 3", r"text statement 'x == 3' is neither a component"),
    ("x:", r"text statement 'x:' has nothing after the colon"),
    ("x: a*x; a =", r"text statement 'a =' has nothing after the equals sign"),
    ("x: 1 - a*", (r"text component 'x: 1 - a\*': cannot read the expression '1 - a\*'"
                   r" \(syntax error\); allowed: numbers, names, \+ - \* / \*\*")),
    ("x: (x + 1", (r"text component 'x: \(x \+ 1': cannot read the expression '\(x \+ 1'"
                   r" \(syntax error at column 1: '\(' was never closed\)")),
    ("x: 2x", (r"cannot read the expression '2x' \(syntax error at column 1: invalid decimal literal;"
               r" multiplication needs an explicit '\*'\)")),
    ("x: x; y: y; x: 2*x", (r"text gives the state variable x twice \('x: x' and 'x: 2\*x'\);"
                           r" each state variable takes exactly one statement")),
    ("x: a*x; a = 1; a = 2", r"text gives the parameter a twice \('a = 1' and 'a = 2'\)"),
    ("x: a*x; x = 2", (r"text assigns a value to the state variable x in 'x = 2';"
                      r" only parameters take values")),
    ("x: a*x; a = b", (r"text statement 'a = b' gives a a value that is not a finite real number;"
                      r" parameter values must be finite real numbers such as 1.4")),
    ("x: a*x; a = 1/0", r"text assignment 'a = 1/0': cannot read the value '1/0' \(divides by zero\)"),
    ("x: a*x; a = sqrt(-1)", r"text statement 'a = sqrt\(-1\)' gives a a value that is not"),
    ("x: a*x; a = 1 = 2", r"text assignment 'a = 1 = 2': cannot read the value '1 = 2'"),
    ("x: a*x; c = 1", (r"text assigns c in 'c = 1', but c does not appear in any component;"
                      r" the parameters are a")),
    ("lambda: 2", (r"text statement 'lambda: 2' has the invalid name 'lambda' \(a Python keyword;"
                  r" write e.g. 'lam' for lambda\)")),
    ("x: lambda*x", r"text statement 'x: lambda\*x' uses the Python keyword 'lambda'"),
    ("x: x if x > 0 else 0", r"uses the Python keyword 'if'.*Piecewise"),
    ("2x: 1", (r"text statement '2x: 1' has the invalid name '2x';"
               r" names must be Python identifiers")),
    ("x: foo(x)", (r"text component 'x: foo\(x\)': cannot read the expression 'foo\(x\)'"
                  r" \(calls foo, which is not an allowed function\); allowed: .* exp log sqrt sin")),
    ("x: gamma(x) + gamma", r"text uses gamma both as a symbol and as a function"),
    ("x: x > 1", (r"text component 'x: x > 1': cannot read the expression 'x > 1' \(uses comparisons"
                 r" outside the conditions of Piecewise, which is not allowed\)")),
    ("x: (1, 2)", r"the expression '\(1, 2\)' \(uses tuples outside the pairs of Piecewise"),
])
def test_malformed_text(text, message):
    with pytest.raises(InvalidArgumentError, match=message):
        from_text(text)


@pytest.mark.parametrize("params, error, message", [
    ({"x": 1}, InvalidArgumentError, ("params gives a value for the state variable x;"
                                     " only parameters take values, and the parameters are a")),
    ({"c": 1}, InvalidArgumentError, ("params gives a value for c, which does not appear in text;"
                                     " the parameters are a")),
    ({"a": math.inf}, InvalidArgumentError, r"params\['a'\] must be a finite real number, got inf"),
    ({"a": "2"}, InvalidTypeError,
     r"params\['a'\] must be a finite real number, got '2' of type str"),
    ({1: 2}, InvalidTypeError, "params keys must be names or SymPy symbols, got 1 of type int"),
    ([("a", 1)], InvalidTypeError, "params must be a mapping of names or symbols to numbers"),
])
def test_bad_params(params, error, message):
    with pytest.raises(error, match=message):
        from_text("x: a*x", params)


def test_text_must_be_a_string():
    with pytest.raises(InvalidTypeError, match="text must be a string, got None of type NoneType"):
        from_text(None)
