"""Classic maps for validating the generic algorithms, and maps typed as text.

Every builder returns a :class:`gdmaps.Map` with its parameter values bound;
``.subs(name=value)`` rebinds them without recompiling.
"""

from gdmaps.maps.classic import NAMES, by_name, henon, ikeda, logistic, standard
from gdmaps.maps.text import from_text

__all__ = ["NAMES", "by_name", "from_text", "henon", "ikeda", "logistic", "standard"]
