"""Exact and certified arithmetic shared by the rooms above: algebraic numbers, arb balls, varieties."""
