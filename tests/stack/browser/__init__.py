"""The web UI in real Chromium (Playwright), against the real stack."""
