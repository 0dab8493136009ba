"""Change report: what changed in the source of truth, its impact on devices, and the diffs."""
