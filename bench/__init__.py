"""Benchmarks: relaychat measured against the direct-streaming baseline, side by side."""
