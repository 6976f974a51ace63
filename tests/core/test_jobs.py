"""Enqueueing: one Lua call stores the job as ARQ would, queues it once, and wakes a worker."""

from arq.jobs import deserialize_job_raw
from redis.asyncio import Redis

from core import keys
from core.jobs import GENERATE, TITLE, enqueue_answer, enqueue_title
from core.redis import deserialize_job


async def test_an_answer_is_queued_once_in_arqs_own_format_and_wakes_a_worker(redis: Redis) -> None:
    async with redis.pubsub() as wakes:
        await wakes.subscribe(keys.WAKE_CHANNEL)
        assert await enqueue_answer(redis, "m1")
        assert not await enqueue_answer(redis, "m1")  # one job per answer
        await wakes.get_message(timeout=1)  # the subscription's confirmation
        woken = await wakes.get_message(timeout=1)
    assert woken is not None
    assert woken["data"] == b"m1"
    function, args, kwargs, job_try, enqueued_ms = deserialize_job_raw(
        await redis.get(keys.arq_job("m1")), deserializer=deserialize_job
    )
    assert (function, list(args), kwargs) == (GENERATE, ["m1"], {})
    assert job_try is None  # a new job has had no try
    assert await redis.zscore(keys.QUEUE, "m1") == enqueued_ms
    assert 0 < await redis.pttl(keys.arq_job("m1")) <= 86_400_000  # ARQ's expiry: a day


async def test_a_title_job_per_conversation_and_one_per_regenerate(redis: Redis) -> None:
    assert await enqueue_title(redis, "c1")
    assert not await enqueue_title(redis, "c1")
    assert await enqueue_title(redis, "c1", regenerate=True)
    assert await enqueue_title(redis, "c1", regenerate=True)
    queued = [member.decode() for member in await redis.zrange(keys.QUEUE, 0, -1)]
    assert queued[0] == "title:c1"
    assert len(queued) == 3
    function, args, *_ = deserialize_job_raw(
        await redis.get(keys.arq_job("title:c1")), deserializer=deserialize_job
    )
    assert (function, list(args)) == (TITLE, ["c1", False])


async def test_a_finished_job_is_not_queued_again_while_its_result_is_kept(redis: Redis) -> None:
    await redis.set(keys.arq_result("m2"), b"{}")
    assert not await enqueue_answer(redis, "m2")
