"""Accounts: signing up, in and out, keys, admins, and every user's isolation from the others."""
