"""Streams to clients: the relay of answers' logs, the SSE response, the updates feed."""
