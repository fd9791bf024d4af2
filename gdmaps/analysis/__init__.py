"""The main job: one loss in, every analysis of it out, as typed results and a report."""
