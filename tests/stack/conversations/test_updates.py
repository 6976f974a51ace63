"""`GET /api/updates`: what every browser tab is told about conversations changing elsewhere."""

import httpx

from tests.support.stack import Stack, new_conversation
from tests.support.updates import UpdateListener


def test_the_stream_starts_with_a_resync_and_carries_a_rename_to_every_follower(
    client: httpx.Client, stack: Stack
) -> None:
    conversation_id = new_conversation(client)["id"]
    with (
        UpdateListener(stack.api.url, stack.headers) as first,
        UpdateListener(stack.api.url, stack.headers) as second,
    ):
        assert first.events[0].event == "resync"
        client.patch(f"/api/conversations/{conversation_id}", json={"title": "Renamed elsewhere"})
        first.wait_for(conversation_id, "title")
        second.wait_for(conversation_id, "title")


def test_a_settings_change_is_not_announced(client: httpx.Client, stack: Stack) -> None:
    conversation_id = new_conversation(client)["id"]
    other_id = new_conversation(client)["id"]
    with UpdateListener(stack.api.url, stack.headers) as updates:
        client.patch(f"/api/conversations/{conversation_id}", json={"system_prompt": "Be brief."})
        client.patch(f"/api/conversations/{other_id}", json={"title": "Marker"})
        updates.wait_for(other_id, "title")  # published after the first change: that one had its chance
        assert updates.changes(conversation_id) == []
