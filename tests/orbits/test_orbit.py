"""Enclosure.for_points: a certificate belongs to an orbit only if its box is where the orbit is."""

import numpy as np

from gdmaps.orbits.krawczyk import certify_orbit
from gdmaps.maps import henon


def test_certificate_kept_near_the_box_and_dropped_far_from_it():
    x = (-0.7 + np.sqrt(6.09)) / 2.8
    exact = np.array([[x, 0.3 * x]])
    enc = certify_orbit(henon(), exact)
    assert enc.certified and enc.distance(exact) == 0
    assert enc.for_points(exact).certified
    assert enc.for_points(exact + 1e-11).certified  # Newton accuracy: the same orbit
    far = enc.for_points(exact + 1e-3)
    assert not far.certified and "away from the points found" in far.reason
