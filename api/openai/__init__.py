"""The OpenAI-compatible API (/v1): Chat Completions and Responses, their bodies, streams and errors."""
