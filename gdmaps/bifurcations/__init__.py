"""How the dynamics change with a parameter.

Continuation, exact bifurcations, orbit diagrams and Lyapunov spectra.
"""
