"""The floor everything stands on: maps, their compiled forms, typed text, results, errors.

``map`` and ``gd`` build the symbolic maps, ``compile`` their batch forms and
``stability`` is the one rule for which orbits are stable; ``parsing`` and
``symbols`` read typed text through a whitelist; ``results`` is the protocol every
result follows and ``errors`` holds every public exception.
"""
