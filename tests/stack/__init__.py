"""Tests that start the whole stack as processes (Redis, the scripted model, API, workers), by feature."""
