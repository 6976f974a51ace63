"""The relay's inbox: what one stream has been handed and not yet sent (no processes)."""

import asyncio

from api.streams.relay import Inbox
from core.events import Event, EventType


def delta(entry_id: str) -> Event:
    return Event(entry_id, EventType.delta, '{"text":"x"}')


async def test_a_stream_takes_everything_added_since_it_last_took_in_order() -> None:
    inbox = Inbox()
    inbox.add([delta("1-0"), delta("1-1")])
    inbox.add([delta("2-0")])
    assert [event.id for event in await inbox.take()] == ["1-0", "1-1", "2-0"]
    inbox.add([delta("3-0")])
    assert [event.id for event in await inbox.take()] == ["3-0"]


async def test_a_waiting_stream_wakes_when_events_are_added() -> None:
    inbox = Inbox()
    taking = asyncio.create_task(inbox.take())
    await asyncio.sleep(0.01)
    assert not taking.done()
    inbox.add([])  # a read whose entries were all unreadable wakes nobody into an empty batch
    await asyncio.sleep(0.01)
    assert not taking.done()
    inbox.add([delta("1-0")])
    assert [event.id for event in await asyncio.wait_for(taking, 1)] == ["1-0"]


async def test_a_stream_that_stops_taking_leaves_the_inbox_usable() -> None:
    inbox = Inbox()
    taking = asyncio.create_task(inbox.take())
    await asyncio.sleep(0.01)
    taking.cancel()
    await asyncio.gather(taking, return_exceptions=True)
    inbox.add([delta("1-0")])  # no waiter left behind to set
    assert [event.id for event in await inbox.take()] == ["1-0"]
