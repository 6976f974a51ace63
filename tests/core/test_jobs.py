"""Enqueueing: one Lua call stores the job as ARQ would, queues it once in its owner's turn, and
wakes a worker."""

import pytest
from arq.jobs import deserialize_job_raw
from redis.asyncio import Redis

from core import keys
from core.admission import OverLimit
from core.jobs import GENERATE, TITLE, TURN, enqueue_answer, enqueue_title
from core.limits import Limits
from core.redis import deserialize_job


async def queue_order(redis: Redis) -> list[str]:
    return [member.decode() for member in await redis.zrange(keys.QUEUE, 0, -1)]


async def test_an_answer_is_queued_once_in_arqs_own_format_and_wakes_a_worker(redis: Redis) -> None:
    async with redis.pubsub() as wakes:
        await wakes.subscribe(keys.WAKE_CHANNEL)
        assert await enqueue_answer(redis, "m1", "ann")
        assert not await enqueue_answer(redis, "m1", "ann")  # one job per answer
        await wakes.get_message(timeout=1)  # the subscription's confirmation
        woken = await wakes.get_message(timeout=1)
    assert woken is not None
    assert woken["data"] == b"m1"
    function, args, kwargs, job_try, enqueued_ms = deserialize_job_raw(
        await redis.get(keys.arq_job("m1")), deserializer=deserialize_job
    )
    assert (function, list(args), kwargs) == (GENERATE, ["m1"], {})
    assert job_try is None  # a new job has had no try
    assert 0 < await redis.zscore(keys.QUEUE, "m1") < enqueued_ms  # a tag, due at once
    assert await redis.get(keys.owner("m1")) == b"ann"
    assert 0 < await redis.pttl(keys.arq_job("m1")) <= 86_400_000  # ARQ's expiry: a day


async def test_many_answers_from_one_user_do_not_go_ahead_of_anothers_first(redis: Redis) -> None:
    for n in range(5):
        await enqueue_answer(redis, f"a{n}", "ann")
    await enqueue_answer(redis, "b0", "bob")
    await enqueue_answer(redis, "b1", "bob")
    await enqueue_answer(redis, "c0", "cy")
    # Turns: each user's first, then each one's second, ...; ties in the order they came.
    assert await queue_order(redis) == ["a0", "b0", "c0", "a1", "b1", "a2", "a3", "a4"]


async def test_someone_new_gets_the_current_turn_ahead_of_every_later_one(redis: Redis) -> None:
    for n in range(5):
        await enqueue_answer(redis, f"a{n}", "ann")
    await redis.set(keys.FAIR_CLOCK, 2 * TURN + 1)  # the workers have started up to a2's turn
    await enqueue_answer(redis, "b0", "bob")
    assert await redis.zscore(keys.QUEUE, "b0") == await redis.zscore(keys.QUEUE, "a2")
    assert (await queue_order(redis))[2:] == ["a2", "b0", "a3", "a4"]


async def test_a_users_turns_from_before_still_count_against_them(redis: Redis) -> None:
    for n in range(3):
        await enqueue_answer(redis, f"a{n}", "ann")
    await redis.set(keys.FAIR_CLOCK, TURN + 1)  # a0 and a1 started
    await redis.delete(keys.QUEUE)  # and everything ended
    await enqueue_answer(redis, "a3", "ann")
    await enqueue_answer(redis, "c0", "cy")
    assert await queue_order(redis) == ["c0", "a3"]  # ann's next turn is a2's, still ahead


async def test_first_in_first_out_mode_queues_by_time(redis: Redis) -> None:
    for n in range(3):
        await enqueue_answer(redis, f"a{n}", "ann", fair=False)
    await enqueue_answer(redis, "b0", "bob", fair=False)
    assert await queue_order(redis) == ["a0", "a1", "a2", "b0"]
    _, _, _, _, enqueued_ms = deserialize_job_raw(
        await redis.get(keys.arq_job("b0")), deserializer=deserialize_job
    )
    assert await redis.zscore(keys.QUEUE, "b0") == enqueued_ms


async def test_a_title_job_per_conversation_and_one_per_regenerate_each_never_twice(redis: Redis) -> None:
    assert await enqueue_title(redis, "c1", "ann", Limits())
    assert not await enqueue_title(redis, "c1", "ann", Limits())
    assert await enqueue_title(redis, "c1", "ann", Limits(), regenerate=True)
    assert not await enqueue_title(redis, "c1", "ann", Limits(), regenerate=True)  # one at a time
    assert await queue_order(redis) == ["title:c1", "title:c1:regenerate"]
    function, args, *_ = deserialize_job_raw(
        await redis.get(keys.arq_job("title:c1")), deserializer=deserialize_job
    )
    assert (function, list(args)) == (TITLE, ["c1", False])
    assert await redis.get(keys.owner("title:c1")) == b"ann"  # a job of its owner's, as an answer
    assert await redis.zcard(keys.admitted("ann")) == 2


async def test_a_title_waits_its_owners_turn(redis: Redis) -> None:
    for n in range(3):
        await enqueue_answer(redis, f"a{n}", "ann")
    await enqueue_title(redis, "c1", "ann", Limits())
    await enqueue_answer(redis, "b0", "bob")
    assert await queue_order(redis) == ["a0", "b0", "a1", "a2", "title:c1"]


async def test_a_title_over_its_owners_limits_is_refused_and_not_queued(redis: Redis) -> None:
    with pytest.raises(OverLimit):
        await enqueue_title(redis, "c1", "ann", Limits(waiting_answers=0), regenerate=True)
    assert await queue_order(redis) == []


async def test_a_finished_job_is_not_queued_again_while_its_result_is_kept(redis: Redis) -> None:
    await redis.set(keys.arq_result("m2"), b"{}")
    assert not await enqueue_answer(redis, "m2", "ann")
