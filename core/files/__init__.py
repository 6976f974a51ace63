"""Uploaded files: what they are, where their bytes live, and what they say."""
