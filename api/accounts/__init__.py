"""Accounts: who is signed in, sign-ins and API keys, throttling, revocations."""
