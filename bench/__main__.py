"""`make bench`: every benchmark in turn, then the report (bench/results/README.md, summary.png)."""

import subprocess
import sys
import time

STEPS = (
    ["bench.pickup"],
    ["bench.latency"],
    ["bench.burst"],
    ["bench.relay_capacity"],
    ["bench.workers"],
    ["bench.local_model"],
    ["bench.auth"],
    ["bench.conversation_length"],
    ["bench.open_conversation"],
    ["bench.enqueue"],
    ["bench.fairness"],
    ["bench.import_stall"],
    ["bench.tool_steps"],
    ["bench.report"],
)


def main() -> None:
    started = time.monotonic()
    failed = []
    for step in STEPS:
        print(f"== {' '.join(step)} ({time.monotonic() - started:.0f} s in)", flush=True)
        # One process per benchmark: each starts and stops its own servers, and a failure in one
        # still lets the others run.
        if subprocess.run([sys.executable, "-m", *step]).returncode != 0:
            failed.append(step[0])
    print(f"== done in {time.monotonic() - started:.0f} s; see bench/results/README.md")
    if failed:
        sys.exit(f"failed (their results in bench/results are from an earlier run): {', '.join(failed)}")


if __name__ == "__main__":
    main()
