"""A streamed chat completion through the official `openai` npm package, from Node (shared stack)."""

import json
import subprocess
from pathlib import Path

from tests.support.stack import Stack, Upstream, unique

WEB = Path(__file__).parents[3] / "web"


def test_the_node_sdk_streams_a_completion_with_its_usage(stack: Stack, upstream: Upstream) -> None:
    question = unique("from node")
    upstream.script(question, {"tokens": ["Hello ", "from ", "Node"]})
    ran = subprocess.run(
        ["node", "scripts/openai-stream.mjs", f"{stack.api.url}/v1", stack.key(), question],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["text"] == "Hello from Node"
    assert result["usage"]["completion_tokens"] == 3
