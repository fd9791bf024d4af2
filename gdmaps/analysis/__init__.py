"""The main job: one loss in, every analysis of it out, as typed results and a report."""

from gdmaps.analysis.fate_map import FateMap, fate_map
from gdmaps.analysis.pipeline import PARTS, Analysis, Skipped, analyze

__all__ = ["Analysis", "Skipped", "FateMap", "analyze", "fate_map", "PARTS"]
