import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def fresh_figures():
    """Each figure test starts and ends with no open figure."""
    plt.close("all")
    yield
    plt.close("all")
