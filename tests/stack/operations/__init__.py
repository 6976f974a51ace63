"""Running relaychat: one-command start, outages, the served UI, schema checks at start-up."""
