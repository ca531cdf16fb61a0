"""Scoring transcripts against references."""
