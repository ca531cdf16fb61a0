"""Orchestration: decode -> VAD -> engines -> post-processing -> store. No wire formats."""
