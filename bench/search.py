"""Search time on 10,000 conversations of ~10 messages each, through the API, on SQLite and Postgres.

Run: `.venv/bin/python -m bench.search [--conversations 10000] [--rounds 40]`. Writes
bench/results/search.{json,md}. The text is drawn from a Zipf-distributed vocabulary, so some
words are in most messages and others in a handful; each query kind runs `rounds` times, one at a
time, timed at the client (HTTP request to parsed JSON).
"""

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from core.ids import new_id
from core.migrate import sync_url, upgrade
from tests.support.postgres import reachable, temporary_database
from tests.support.stack import Stack, Upstream

RESULTS = Path(__file__).parent / "results"
VOCABULARY = 20_000
SEED = 6


def vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 10))))
    return sorted(words, key=lambda _: rng.random())


class Text:
    """Words by Zipf's law: the word of rank r comes up in proportion to 1/r, as in real text."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary(rng)
        self.weights = [1 / rank for rank in range(1, VOCABULARY + 1)]

    def sentence(self, low: int, high: int) -> str:
        return " ".join(self.rng.choices(self.words, self.weights, k=self.rng.randint(low, high)))


def rows(
    text: Text, conversations: int, messages: int
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    start = datetime.now(UTC) - timedelta(days=365)
    for index in range(conversations):
        at = start + timedelta(minutes=index * 50)
        conversation_id = new_id()
        conversation = {
            "id": conversation_id,
            "title": text.sentence(2, 6).capitalize(),
            "title_source": "generated",
            "system_prompt": "",
            "model": None,
            "created_at": at,
            "updated_at": at,
        }
        chat, parent = [], None
        for turn in range(messages):
            message_id = new_id()
            chat.append(
                {
                    "id": message_id,
                    "conversation_id": conversation_id,
                    "parent_id": parent,
                    "role": "user" if turn % 2 == 0 else "assistant",
                    "content": text.sentence(8, 30) if turn % 2 == 0 else text.sentence(30, 120),
                    "status": "complete",
                    "attempt": 1,
                    "created_at": at + timedelta(seconds=turn),
                    "updated_at": at + timedelta(seconds=turn),
                }
            )
            parent = message_id
        yield conversation, chat


def fill(url: str, conversations: int, messages: int) -> tuple[float, Text]:
    upgrade(url)
    text = Text(random.Random(SEED))
    engine = sa.create_engine(sync_url(url))
    insert_conversation = sa.text(
        "INSERT INTO conversation (id, title, title_source, system_prompt, model, created_at, updated_at) "
        "VALUES (:id, :title, :title_source, :system_prompt, :model, :created_at, :updated_at)"
    )
    insert_message = sa.text(
        "INSERT INTO message (id, conversation_id, parent_id, role, content, status, attempt, created_at, "
        "updated_at) VALUES (:id, :conversation_id, :parent_id, :role, :content, :status, :attempt, "
        ":created_at, :updated_at)"
    )
    started = time.perf_counter()
    batch: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for pair in rows(text, conversations, messages):
        batch.append(pair)
        if len(batch) == 500:
            _insert(engine, insert_conversation, insert_message, batch)
            batch = []
    _insert(engine, insert_conversation, insert_message, batch)
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started, text


def _insert(engine: sa.Engine, conversation: sa.TextClause, message: sa.TextClause, batch: list[Any]) -> None:
    if not batch:
        return
    with engine.begin() as connection:
        connection.execute(conversation, [pair[0] for pair in batch])
        connection.execute(message, [m for pair in batch for m in pair[1]])


def queries(text: Text) -> dict[str, str]:
    """One query per kind, from the same vocabulary the text was drawn from."""
    words = text.words
    return {
        "common word (rank 1)": words[0],
        "mid word (rank 200)": words[199],
        "rare word (rank 15000)": words[14_999],
        "two words": f"{words[3]} {words[50]}",
        "prefix, 3 letters": words[120][:3],
        "prefix, as typed": f"{words[5]} {words[900][:4]}",
        "no match": "qqqqqqqqzz",
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(api_url: str, headers: dict[str, str], kinds: dict[str, str], rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    everything: list[float] = []
    with httpx.Client(base_url=api_url, headers=headers, timeout=30) as client:
        for kind, query in kinds.items():
            client.get("/api/search", params={"q": query})  # warm
            times: list[float] = []
            found: dict[str, Any] = {}
            for _ in range(rounds):
                started = time.perf_counter()
                response = client.get("/api/search", params={"q": query})
                found = response.json()
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
            everything += times
            results[kind] = {
                "query": query,
                "messages_returned": len(found["messages"]),
                "titles_returned": len(found["conversations"]),
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(percentile(times, 0.95), 2),
                "max_ms": round(max(times), 2),
            }
    results["all queries"] = {
        "p50_ms": round(statistics.median(everything), 2),
        "p95_ms": round(percentile(everything, 0.95), 2),
        "max_ms": round(max(everything), 2),
    }
    return results


def matches(url: str, word: str) -> int:
    engine = sa.create_engine(sync_url(url))
    with engine.connect() as connection:
        count = connection.execute(
            sa.text("SELECT count(*) FROM message WHERE content LIKE :pattern"), {"pattern": f"%{word}%"}
        ).scalar_one()
    engine.dispose()
    return int(count)


@contextmanager
def databases(log_dir: Path) -> Iterator[list[tuple[str, str]]]:
    found = [("sqlite", f"sqlite:///{log_dir / 'search-bench.db'}")]
    if not reachable():
        yield found
        return
    with temporary_database() as postgres:
        yield [*found, ("postgres", postgres)]


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Search on {report['conversations']:,} conversations ({report['messages']:,} messages)",
        "",
        "Through the API, one request at a time, timed at the client; "
        f"{report['rounds']} rounds per query. `python -m bench.search`",
        "",
    ]
    for database, result in report["databases"].items():
        lines += [
            f"## {database} (filled in {result['fill_seconds']:.0f} s)",
            "",
            "| query | messages with the word | p50 ms | p95 ms |",
            "| --- | ---: | ---: | ---: |",
        ]
        for kind, timing in result["timings"].items():
            having = result["word_counts"].get(kind, "")
            lines.append(f"| {kind} | {having} | {timing['p50_ms']} | {timing['p95_ms']} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    report: dict[str, Any] = {
        "conversations": args.conversations,
        "messages": args.conversations * args.messages,
        "rounds": args.rounds,
        "databases": {},
    }
    with tempfile.TemporaryDirectory() as temporary:
        log_dir = Path(temporary)
        upstream = Upstream(log_dir)
        try:
            with databases(log_dir) as urls:
                for name, url in urls:
                    seconds, text = fill(url, args.conversations, args.messages)
                    print(f"{name}: filled in {seconds:.1f} s")
                    kinds = queries(text)
                    stack = Stack(log_dir, upstream, database_url=url)
                    try:
                        # The first account (the admin) takes the conversations made without one.
                        api = stack.start_api()
                        timings = measure(api.url, stack.headers, kinds, args.rounds)
                    finally:
                        stack.close()
                    counts = {kind: matches(url, query) for kind, query in kinds.items() if " " not in query}
                    report["databases"][name] = {
                        "fill_seconds": round(seconds, 1),
                        "timings": timings,
                        "word_counts": counts,
                    }
                    print(json.dumps(timings, indent=2))
        finally:
            upstream.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "search.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "search.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
