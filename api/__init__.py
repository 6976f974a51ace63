"""The HTTP API: stores questions and queued answers, enqueues their jobs, relays their event logs."""
