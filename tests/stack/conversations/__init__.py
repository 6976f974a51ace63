"""Conversations and what a user does with them: branches, titles, export, search, live updates."""
