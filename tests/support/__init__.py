"""What the tests run against: real Redis, databases, processes, and the scripted model."""
