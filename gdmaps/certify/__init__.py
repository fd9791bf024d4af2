"""The measure-zero certificate and what it rests on: eta*, analyticity, non-singularity.

``critical`` dispatches eta* to the ``critical_*`` modules, one per family of losses
it decides; ``certificate`` chains eta*, the instability of the minima and the
non-singularity of the map into a readable proof.
"""
