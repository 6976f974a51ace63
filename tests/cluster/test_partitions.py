"""Network partitions while 20 answers stream: a worker host cut off from Redis and Postgres
(it still reaches the model), and an API host cut off from its clients."""

import time

import pytest

from tests.cluster.conftest import Cluster
from tests.support.in_flight import ANSWERS, assert_exact, run_with_readers, start_answers, what_readers_saw
from tests.support.sse import SseEvent

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

SILENCE_SECONDS = 5  # over twice the cluster's 2 s heartbeat: a stream quiet for longer is dead
TOKENS = [f"p{i} " for i in range(300)]
LONG = {"tokens": TOKENS, "delay": 0.05}  # 15 s: still streaming when the partition heals


def reset_at(events: list[SseEvent]) -> float | None:
    """When the answer started again, by its `reset` entry's id (Redis's clock, in ms)."""
    resets = [e.id for e in events if e.event == "reset" and e.id and not e.data.get("repair")]
    return int(resets[0].split("-")[0]) / 1000 if resets else None


def test_a_worker_host_cut_from_redis_and_postgres_is_taken_over_and_writes_nothing_after(
    cluster: Cluster,
) -> None:
    urls = [api.url for api in cluster.apis]
    with cluster.apis[0].client() as client:
        message_ids = start_answers(cluster, client, LONG)
        questions = [client.get(f"/api/messages/{m}").json()["parent_id"] for m in message_ids]
        questions = [client.get(f"/api/messages/{q}").json()["content"] for q in questions]
    cut_at: list[float] = []

    def cut_then_heal() -> None:
        cut_host = cluster.busiest_worker_host()
        cut_host.cut_off(*cluster.store_hosts())
        cut_at.append(time.time())
        time.sleep(12)  # the other worker has taken its answers over by now
        cut_host.reconnect()

    streams = run_with_readers(cluster, lambda: urls, message_ids, cut_then_heal, SILENCE_SECONDS)
    assert_exact(cluster, message_ids, streams, expected="".join(TOKENS))

    takeovers = [at - cut_at[0] for events in streams if (at := reset_at(events)) is not None]
    assert takeovers, "the cut-off worker ran none of the answers"
    assert max(takeovers) < 15, takeovers
    first_tries = [
        cluster.upstream.requests(q)[0] for q in questions if len(cluster.upstream.requests(q)) == 2
    ]
    assert len(first_tries) == len(takeovers)
    deadline = time.monotonic() + 20
    while not all(request["disconnected"] for request in first_tries):
        assert time.monotonic() < deadline, "the cut-off worker kept streaming from the model"
        time.sleep(0.5)
        first_tries = [
            cluster.upstream.requests(q)[0] for q in questions if len(cluster.upstream.requests(q)) == 2
        ]
    assert all(request["tokens_sent"] < len(TOKENS) for request in first_tries)
    # The cut-off worker gives its answers up once their claims expire unrenewed (5 s), as the
    # other worker takes them over: it does not wait for its Redis socket's timeout and retries.
    given_up = [request["disconnected_at"] - cut_at[0] for request in first_tries]
    assert max(given_up) < 10, given_up
    print(
        f"worker host cut off: {len(takeovers)} of {ANSWERS} answers taken over after "
        f"{min(takeovers):.1f}-{max(takeovers):.1f} s, the cut-off worker's model streams closed after "
        f"{min(given_up):.1f}-{max(given_up):.1f} s; {what_readers_saw(streams)}"
    )


def test_an_api_host_cut_from_its_clients_they_resume_on_the_other_exactly(cluster: Cluster) -> None:
    first, second = cluster.apis
    with first.client() as client:
        message_ids = start_answers(cluster, client)

    def cut_first() -> None:
        cluster.api_hosts[0].cut_off_address(cluster.network.gateway)

    streams = run_with_readers(
        cluster, lambda: [first.url, second.url], message_ids, cut_first, SILENCE_SECONDS
    )
    assert_exact(cluster, message_ids, streams, api=second)
    assert not any(e.event == "reset" for events in streams for e in events), "generation restarted"
    print(f"API host cut off from its clients: none lost; {what_readers_saw(streams)}")
