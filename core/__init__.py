"""What the API and the workers share: settings, models, the database, Redis keys, the event log."""
