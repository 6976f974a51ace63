"""`python -m worker`: one relaychat worker process."""

from worker.main import run

run()
