import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def fresh_figures():
    """Commands that draw leave no open figure behind."""
    plt.close("all")
    yield
    plt.close("all")
