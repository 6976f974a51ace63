"""The worker process: RelaychatWorker and the recovery sweep."""
