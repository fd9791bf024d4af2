"""Fixed points, periodic orbits and their invariant manifolds, numeric, exact and certified."""
