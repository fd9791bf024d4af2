"""gdmaps: gradient descent as a discrete dynamical system.

The public surface: :class:`Map` and :class:`GDMap` (symbolic maps with a compiled
batch form), :func:`iterate` (batches of orbits and their fates), :func:`analyze`
(the main job), and the builders in :mod:`gdmaps.models` and :mod:`gdmaps.maps`.
"""

from gdmaps.core.errors import (CellLimitError, CertificationUnavailableError, EliminationTooLargeError,
                                FreeParameterError, GdmapsError, InvalidArgumentError, InvalidTypeError,
                                NotCertifiableError, NotPolynomialError, RefinementError)
from gdmaps.core.map import Map
from gdmaps.core.gd import ETA, GDMap, NumericGD
from gdmaps.basins.iterate import Fate, IterationResult, iterate
from gdmaps.core.losses import loss_from_text
from gdmaps.core.parsing import parse_bindings, parse_expression, parse_number
from gdmaps.analysis.pipeline import Analysis, Skipped, analyze
from gdmaps.analysis.fate_map import FateMap, fate_map
from gdmaps.core.stability import Kind, Stability, classify, spectral_radii, stability
from gdmaps.orbits.orbit import Enclosure, Orbit
from gdmaps.exact.varieties import Component
from gdmaps.orbits.fixed_points import FixedPoints, fixed_points
from gdmaps.orbits.periodic_orbits import (PeriodicOrbits, SearchStatus, periodic_orbits,
                                           periodic_orbits_up_to, periodic_point)
from gdmaps.orbits.exact_orbits import ExactOrbit, exact_periodic_orbits
from gdmaps.orbits.krawczyk import certify_orbit, refine_mpmath
from gdmaps.certify.critical import CriticalLearningRate, Exactness, critical_learning_rate
from gdmaps.certify.critical_poly import PolynomialMinima, polynomial_minima
from gdmaps.certify.analyticity import Analyticity, analyticity
from gdmaps.certify.non_singularity import NonSingularity, Verdict, non_singularity
from gdmaps.certify.certificate import Certificate, Status, Step, certify_measure_zero
from gdmaps.certify.critical_variants import CriticalStepSize, cyclic_critical_step, variant_critical_step
from gdmaps.certify.non_singularity_variants import variant_non_singularity
from gdmaps.basins.convergence import ConvergentFraction, clopper_pearson, convergent_fraction
from gdmaps.basins.sweep import Sweep, sweep
from gdmaps.basins.sharpness import Sharpness, sharpness, sharpness_along
from gdmaps.orbits.stable_manifold import StableManifold, stable_manifold
from gdmaps.orbits.unstable_manifold import UnstableManifold, unstable_manifold
from gdmaps.basins.dimension import SetDimension, convergent_set_dimension
from gdmaps.basins.cell_map import CellMap, cell_map
from gdmaps.bifurcations.continuation import BifurcationPoint, Branch, Continuation, continuation
from gdmaps.bifurcations.orbit_diagram import OrbitDiagram, orbit_diagram
from gdmaps.bifurcations.lyapunov import LyapunovSpectrum, lyapunov_spectrum
from gdmaps.bifurcations.exact_bifurcations import ExactBifurcation, exact_bifurcations, gd_period_doubling
from gdmaps import maps, models
from gdmaps.explore import explore  # the function (Panel is imported only when it is called)

__all__ = [
    "Map", "GDMap", "NumericGD", "ETA",
    "iterate", "Fate", "IterationResult",
    "analyze", "Analysis", "Skipped", "fate_map", "FateMap",
    "loss_from_text", "parse_expression", "parse_number", "parse_bindings",
    "stability", "Stability", "Kind", "classify", "spectral_radii", "Orbit", "Enclosure",
    "fixed_points", "FixedPoints", "Component",
    "periodic_orbits", "periodic_orbits_up_to", "PeriodicOrbits", "SearchStatus", "periodic_point",
    "exact_periodic_orbits", "ExactOrbit",
    "certify_orbit", "refine_mpmath", "NotCertifiableError", "RefinementError",
    "critical_learning_rate", "CriticalLearningRate", "Exactness",
    "polynomial_minima", "PolynomialMinima", "analyticity", "Analyticity",
    "non_singularity", "NonSingularity", "Verdict",
    "certify_measure_zero", "Certificate", "Status", "Step",
    "variant_critical_step", "cyclic_critical_step", "CriticalStepSize", "variant_non_singularity",
    "convergent_fraction", "ConvergentFraction", "clopper_pearson", "sweep", "Sweep",
    "sharpness", "sharpness_along", "Sharpness",
    "stable_manifold", "StableManifold", "cell_map", "CellMap", "convergent_set_dimension",
    "SetDimension", "continuation", "Continuation", "Branch", "BifurcationPoint",
    "exact_bifurcations", "ExactBifurcation", "gd_period_doubling", "EliminationTooLargeError",
    "orbit_diagram", "OrbitDiagram", "lyapunov_spectrum", "LyapunovSpectrum",
    "unstable_manifold", "UnstableManifold",
    "maps", "models", "explore",
    "GdmapsError", "InvalidArgumentError", "InvalidTypeError", "FreeParameterError", "CellLimitError",
    "CertificationUnavailableError", "NotPolynomialError",
]
__version__ = "0.1.0"
