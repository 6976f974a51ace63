"""An answer from submit to its end: submitting, streaming, relaying, generating, usage, context."""
