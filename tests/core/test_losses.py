"""loss_from_text: typed losses against the same loss built in SymPy."""

import pytest
import sympy as sp

from gdmaps import GDMap, InvalidArgumentError, loss_from_text


def test_typed_loss_equals_sympy_loss():
    a, b = sp.symbols("a b")
    g = loss_from_text("(a*b - y)^2/2 + 0.1*(a^2 + b^2); y = 2")
    assert g.loss == GDMap((a * b - 2) ** 2 / 2 + sp.Rational(1, 10) * (a**2 + b**2), [a, b]).loss
    assert g.state == (a, b)


def test_params_choose_the_trainable_symbols():
    g = loss_from_text("(w*x - y)**2/2", "w")
    assert [s.name for s in g.state] == ["w"] and {p.name for p in g.parameters} == {"eta", "x", "y"}


@pytest.mark.parametrize("text, message", [
    ("", "text is empty"),
    ("(a*b - 1", r"loss could not be read as an expression: '\(a\*b - 1' \(syntax error"),
    ("a**2; y: 1", "is not 'name = number'"),
    ("a**2; y = b", "text y could not be read as a real number: 'b' \\(it has the names b"),
    ("a**2; y = 1", "y, which is not in the loss"),
    ("lambda*a**2", "Python keyword 'lambda'"),
    ("3", "no symbols left to train"),
])
def test_bad_text(text, message):
    with pytest.raises(InvalidArgumentError, match=message):
        loss_from_text(text)
