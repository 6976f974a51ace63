"""Files: how long the workers take to read a 300-page PDF (upload to `ready`), and what a long
attached document adds to the first token (its best-matching chunks found and put in the prompt),
side by side with the same questions asked without it, in one run.

Run: `.venv/bin/python -m bench.files [--pages 300] [--rounds 20]`. Writes bench/results/files.json.
Targets: reading the PDF within 30 s on 2 cores; retrieval adding at most 20 ms to the first token.
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.stats import percentiles, write_result
from tests.support.documents import pdf_of_pages
from tests.support.sse import TERMINAL, parse_events
from tests.support.stack import ONE_ACCOUNT_LOAD, Stack, Upstream, new_conversation

INGEST_TARGET_S = 30.0
RETRIEVAL_TARGET_MS = 20.0


def ingest(client: httpx.Client, pdf: bytes) -> tuple[str, float]:
    """Upload the PDF and wait for it to be `ready`: its id and the seconds it took."""
    started = time.perf_counter()
    made = client.post("/api/files", files={"file": ("book.pdf", pdf, "application/pdf")})
    made.raise_for_status()
    file_id = made.json()["id"]
    while (found := client.get(f"/api/files/{file_id}").json())["status"] == "processing":
        time.sleep(0.02)
    assert found["status"] == "ready", found
    return file_id, time.perf_counter() - started


def first_token(client: httpx.Client, conversation_id: str, question: str, attachments: list[str]) -> float:
    """Seconds from sending the question to its answer's first text."""
    started = time.perf_counter()
    body = {"content": question, "attachments": attachments}
    headers = {"Accept": "text/event-stream"}
    with client.stream(
        "POST", f"/api/conversations/{conversation_id}/messages", json=body, headers=headers
    ) as response:
        response.raise_for_status()
        took = 0.0
        for event in parse_events(response.iter_lines()):
            if event.event == "delta" and not took:
                took = time.perf_counter() - started
            if event.event in TERMINAL:
                break
    assert took, "no text came"
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    pdf = pdf_of_pages(
        args.pages, {args.pages * 2 // 3: "The archivist keeps the blue ledger in the north tower."}
    )
    with tempfile.TemporaryDirectory() as tmp:
        upstream = Upstream(Path(tmp))
        upstream.script("*", {"tokens": ["ok"]})
        stack = Stack(Path(tmp), upstream, settings=ONE_ACCOUNT_LOAD)
        try:
            stack.start()
            with stack.client() as client:
                ingested = [ingest(client, pdf) for _ in range(3)]
                file_id = ingested[0][0]
                plain, attached = new_conversation(client)["id"], new_conversation(client)["id"]
                without: list[float] = []
                with_doc: list[float] = []
                for n in range(args.rounds):  # alternated, so both see the same machine
                    question = f"where is the blue ledger kept? ({n})"
                    without.append(first_token(client, plain, question, []))
                    with_doc.append(first_token(client, attached, question, [file_id]))
        finally:
            stack.close()
            upstream.stop()
    seconds = [took for _, took in ingested]
    added_ms = (statistics.median(with_doc) - statistics.median(without)) * 1000
    result: dict[str, Any] = {
        "pdf_pages": args.pages,
        "pdf_bytes": len(pdf),
        "ingest_seconds": [round(s, 2) for s in seconds],
        "ingest_seconds_p50": round(statistics.median(seconds), 2),
        "ingest_target_seconds": INGEST_TARGET_S,
        "first_token_without": percentiles(without),
        "first_token_with_document": percentiles(with_doc),
        "retrieval_ms_p50": round(added_ms, 1),
        "retrieval_target_ms": RETRIEVAL_TARGET_MS,
    }
    write_result("files", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
