"""First token, submit time and opening a conversation, against the conversation's length.

Run: `.venv/bin/python -m bench.conversation_length`. Writes bench/results/conversation_length.json.

Conversations of 10, 1,000 and 10,000 messages (a linear branch of questions and complete answers
of about 80 tokens each) on a model with an 8k and one with a 128k context window, both served by
the scripted model answering its first token at once. Each round submits a question and times the
`POST` and the first `delta` at the client (from the `POST`'s start), then `GET …/branch` (what
opening the conversation reads: its newest page). The messages carry their token counts, as the app
stores them when it writes a message. The question is sent the way the web UI sends it, asking for
the answer's stream in the same response; the `POST` time is until its first event (both ids).
"""

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.stats import write_result
from core.catalog import ModelSpec
from core.ids import new_id
from core.migrate import sync_url, upgrade
from core.tokens import counter_for
from tests.support.sse import parse_events
from tests.support.stack import Stack, Upstream

LENGTHS = (10, 1000, 10_000)
WINDOWS = {"short": 8192, "long": 131_072}
WORDS = [f"word{i}" for i in range(2000)]


def models_file(directory: Path, base_url: str) -> Path:
    path = directory / "length-models.toml"
    entries = [
        f'[[models]]\nid = "{name}"\nbase_url = "{base_url}"\ncontext_window = {window}\n'
        for name, window in WINDOWS.items()
    ]
    path.write_text('default = "short"\n\n' + "\n".join(entries))
    return path


@dataclass(frozen=True)
class Filled:
    conversation_id: str
    leaf_id: str  # its newest message, the selected branch's end


def fill(url: str, lengths: tuple[int, ...] = LENGTHS) -> dict[tuple[str, int], Filled]:
    """One conversation per model and length, without an owner (the admin's first sign-in takes them)."""
    upgrade(url)
    counter = counter_for(ModelSpec(id="short"))
    engine = sa.create_engine(sync_url(url))
    made: dict[tuple[str, int], Filled] = {}
    pick = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=1)
    with engine.begin() as connection:
        for model in WINDOWS:
            for length in lengths:
                cid = new_id()
                messages, parent = [], None
                for index in range(length):
                    mid = new_id()
                    moment = start + timedelta(milliseconds=index)
                    content = " ".join(pick.choices(WORDS, k=60))
                    messages.append(
                        {
                            "id": mid,
                            "conversation_id": cid,
                            "parent_id": parent,
                            "role": "user" if index % 2 == 0 else "assistant",
                            "content": content,
                            "tokens": counter.count(content),
                            "tokenizer": counter.name,
                            "status": "complete",
                            "attempt": 1 if index % 2 else 0,
                            "model": model if index % 2 else None,
                            "created_at": moment,
                            "updated_at": moment,
                        }
                    )
                    parent = mid
                connection.execute(
                    sa.text(
                        "INSERT INTO conversation (id, title, title_source, system_prompt, model, "
                        "selected_leaf_id, created_at, updated_at) VALUES (:id, :title, 'user', '', :model, "
                        ":leaf, :now, :now)"
                    ),
                    {"id": cid, "title": f"{model} {length}", "model": model, "leaf": parent, "now": start},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO message (id, conversation_id, parent_id, role, content, tokens, "
                        "tokenizer, status, attempt, model, pinned, created_at, updated_at) VALUES (:id, "
                        ":conversation_id, :parent_id, :role, :content, :tokens, :tokenizer, :status, "
                        ":attempt, :model, false, :created_at, :updated_at)"
                    ),
                    messages,
                )
                assert parent is not None
                made[(model, length)] = Filled(cid, parent)
    engine.dispose()
    return made


def direct_first_token(upstream: Upstream, question: str) -> float:
    """Milliseconds to the first token when the prompt relaychat sent for `question` is sent to
    the model directly: what that prompt costs with no queue at all (its size, mostly)."""
    sent = upstream.requests(question)[-1]
    body = {
        "model": sent["model"],
        "messages": sent["messages"],
        "max_tokens": sent["max_tokens"],
        "stream": True,
    }
    started = time.perf_counter()
    with httpx.stream("POST", f"{upstream.url}/chat/completions", json=body, timeout=60) as response:
        for line in response.iter_lines():
            if '"content"' in line:
                return (time.perf_counter() - started) * 1000
    raise AssertionError("the model sent no token")


def one_round(client: httpx.Client, upstream: Upstream, conversation_id: str) -> tuple[float, float, float]:
    """(POST ms, first delta ms from the POST's start, the same prompt's first token sent
    directly) for one question."""
    question = f"question {new_id()}"
    upstream.script(question, {"tokens": ["first ", "second"], "ttft": 0.0})
    started = time.perf_counter()
    posted = first = 0.0
    with client.stream(
        "POST",
        f"/api/conversations/{conversation_id}/messages",
        json={"content": question},
        headers={"Accept": "text/event-stream"},
    ) as response:
        assert response.status_code == 200, response.read()
        for event in parse_events(response.iter_lines()):
            if event.event == "submitted":
                posted = time.perf_counter() - started
            if event.event == "delta" and not first:
                first = time.perf_counter() - started
            if event.event in ("done", "stopped", "error"):
                assert event.event == "done", event
                break
    return posted * 1000, first * 1000, direct_first_token(upstream, question)


@contextmanager
def filled_stack(lengths: tuple[int, ...] = LENGTHS) -> Iterator[tuple[Stack, dict[tuple[str, int], Filled]]]:
    """A running deployment (one API, one worker) on a database filled with `fill`, and its
    conversations; the models are the two windows, served by the scripted model."""
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        url = f"sqlite:///{directory / 'lengths.db'}"
        conversations = fill(url, lengths)
        upstream = Upstream(directory)
        stack = Stack(
            directory,
            upstream,
            database_url=url,
            settings={"models_file": str(models_file(directory, upstream.url)), "model": "short"},
        )
        try:
            stack.start()
            yield stack, conversations
        finally:
            stack.close()
            upstream.stop()


def measure(rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with filled_stack() as (stack, conversations), stack.api.client(timeout=120) as client:
        for (model, length), filled in conversations.items():
            cid = filled.conversation_id
            one_round(client, stack.upstream, cid)  # warm: caches, connections
            samples = [one_round(client, stack.upstream, cid) for _ in range(rounds)]
            started = time.perf_counter()
            branch = client.get(f"/api/conversations/{cid}/branch")
            opened = (time.perf_counter() - started) * 1000
            key = f"{model} window, {length} messages"
            results[key] = {
                "post_p50_ms": round(statistics.median(s[0] for s in samples), 1),
                "first_token_p50_ms": round(statistics.median(s[1] for s in samples), 1),
                "direct_first_token_p50_ms": round(statistics.median(s[2] for s in samples), 1),
                "branch_ms": round(opened, 1),
                "branch_bytes": len(branch.content),
            }
            print(key, results[key], flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    write_result("conversation_length", {"rounds": args.rounds, "results": measure(args.rounds)})


if __name__ == "__main__":
    main()
