"""The worker process: ARQ jobs that stream answers from the model into their event logs."""
