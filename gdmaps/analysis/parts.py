"""What an analysis is made of: its parts, the grids they run on, and a part not computed."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from gdmaps.core.results import Result

__all__ = ["PARTS", "FRACTIONS", "CERTIFY_AT", "SWEEP_GRID", "DIAGRAM_GRID", "Skipped"]

#: The parts of the pipeline, in the order they run (``skip=`` takes these names).
PARTS = ("critical_set", "critical_rate", "certificates", "fates", "sweep", "fate_maps",
         "dimension", "orbit_diagram", "lyapunov")

#: Step sizes of the table of fates, as fractions of eta* (or of the reference step size).
FRACTIONS = (0.25, 0.5, 0.9, 1.1, 1.5)
#: Fractions of eta* at which the measure-zero certificate is asked for (and the fate maps drawn).
CERTIFY_AT = (sp.Rational(9, 10), sp.Rational(11, 10))
#: The phase-transition sweep: (first, last, count) as fractions of eta*.
SWEEP_GRID = (0.5, 1.5, 21)
#: The orbit diagram: (first, last, count) as fractions of eta*.
DIAGRAM_GRID = (0.5, 2.0, 300)
#: Largest dimension for the exact critical set, and for eta* and the certificates.
MAX_DIM_CRITICAL_SET, MAX_DIM_CRITICAL_RATE = 6, 12


@dataclass(frozen=True, repr=False, eq=False)
class Skipped(Result):
    """A part of an analysis that was not computed, and why.

    Examples
    --------
    >>> Skipped("dimension", "no finite eta*")
    <Skipped dimension: no finite eta*>
    """

    part: str
    reason: str

    def to_dict(self) -> dict:
        return {"skipped": True, "part": self.part, "reason": self.reason}

    def __repr__(self) -> str:
        return f"<Skipped {self.part}: {self.reason}>"
