"""A scripted OpenAI-compatible chat server: the one stand-in the tests use, at the network boundary.

Run: `python -m tests.support.scripted_model --port N`. Tests script it over HTTP:
`POST /_scripts {"match": <last user message>, "responses": [<response>, ...]}`; each request
whose last user message equals `match` takes the next response (the last one repeats).
A response is `{"status": 429}` (an HTTP error before streaming) or a stream (a request without
`stream` gets the tokens as one reply, after `ttft`):
`{"tokens": [...], "ttft": s, "delay": s, "cut_after": n, "hang_after": n, "malformed_after": n,
"usage": bool, "finish_reason": "stop", "stamp": bool}` ("stamp" sends each token's send time
instead). `"reasoning": [...]` streams `delta.reasoning_content` before the tokens;
`"tool_calls": [{"name", "arguments", "id"?}]` streams tool calls after them, each in pieces of
`tool_piece` characters (`"split_ids": true` sends every piece with the call's id and name, as
some servers do), and finishes with `tool_calls`. A script for "*" answers every unscripted
question; the rest get an echo of what was received.
`GET /_requests?match=...` tells what each request received, and whether the client hung up.

`POST /v1/embeddings` gives each input a vector of its words' counts, hashed into 256 dimensions,
after `POST /_synonyms {"word": "stands for", ...}` maps words onto others: texts that share no
word can then be near in meaning. A script for `_embeddings` makes the next calls fail
(`{"status": 500}`); one without a status succeeds. Its requests are recorded as `_embeddings`.
"""

import argparse
import asyncio
import json
import re
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

scripts: dict[str, list[dict[str, Any]]] = {}
synonyms: dict[str, str] = {}
DIMENSIONS = 256
requests: list[dict[str, Any]] = []
# What a request carries besides these is its sampling: what a client asked of the model's answer.
NOT_SAMPLING = (
    "model",
    "messages",
    "max_tokens",
    "stream",
    "stream_options",
    "response_format",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
)


def echo_tokens(messages: list[dict[str, Any]]) -> list[str]:
    last = (messages[-1]["content"] or "") if messages else ""
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    text = f"Echo ({len(messages)} messages, system={system!r}): {last}"
    return [word + " " for word in text.split(" ")]


def next_response(match: str) -> dict[str, Any] | None:
    queue = scripts.get(match) or scripts.get("*")  # "*": the script for every other question
    if not queue:
        return None
    return queue.pop(0) if len(queue) > 1 else queue[0]


def chunk(model: str, **choice: Any) -> str:
    body = {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }
    body["choices"] = [{"index": 0, **choice}] if choice else []
    return f"data: {json.dumps(body)}\n\n"


async def completions(request: Request) -> Response:
    body = await request.json()
    messages = body.get("messages", [])
    last_user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    if not isinstance(last_user, str):  # content parts
        last_user = "".join(part.get("text", "") for part in last_user)
    record: dict[str, Any] = {
        "match": last_user,
        "messages": messages,
        "model": body.get("model"),
        "max_tokens": body.get("max_tokens"),
        "sampling": {name: value for name, value in body.items() if name not in NOT_SAMPLING},
        "response_format": body.get("response_format"),
        "tools": body.get("tools"),
        "tool_choice": body.get("tool_choice"),
        "parallel_tool_calls": body.get("parallel_tool_calls"),
        "started": time.time(),
        "tokens_sent": 0,
        "finished": False,
        "disconnected": False,
    }
    requests.append(record)
    script = next_response(last_user) or {}
    if "status" in script:
        headers = {"retry-after": str(script["retry_after"])} if "retry_after" in script else {}
        error = {"error": {"message": script.get("message", "scripted failure"), "type": "scripted"}}
        return JSONResponse(error, status_code=script["status"], headers=headers)

    calls: list[dict[str, Any]] = [
        {"id": f"call_scripted_{index}", **call} for index, call in enumerate(script.get("tool_calls", ()))
    ]
    reasoning: list[str] = script.get("reasoning", [])
    tokens: list[str] = script.get("tokens") or ([] if calls else echo_tokens(messages))
    finish = script.get("finish_reason", "tool_calls" if calls else "stop")
    model = body.get("model", "scripted")
    if not body.get("stream"):
        await asyncio.sleep(script.get("ttft", 0.0))
        text = "".join(tokens)
        record["tokens_sent"] = len(tokens)
        record["finished"] = True
        message: dict[str, Any] = {"role": "assistant", "content": text or None}
        if reasoning:
            message["reasoning_content"] = "".join(reasoning)
        if calls:
            message["tool_calls"] = [_call(call) for call in calls]
        return JSONResponse(
            {
                "id": "chatcmpl-scripted",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {
                    "prompt_tokens": 10,
                    "completion_tokens": len(tokens) + len(reasoning),
                    "total_tokens": 10 + len(tokens) + len(reasoning),
                    "completion_tokens_details": {"reasoning_tokens": len(reasoning)},
                },
            }
        )

    async def events() -> AsyncIterator[str]:
        try:
            await asyncio.sleep(script.get("ttft", 0.0))
            yield chunk(model, delta={"role": "assistant", "content": ""}, finish_reason=None)
            for piece in reasoning:
                yield chunk(model, delta={"reasoning_content": piece}, finish_reason=None)
                await asyncio.sleep(script.get("delay", 0.0))
            for index, token in enumerate(tokens):
                if index == script.get("cut_after"):
                    raise ConnectionAbortedError("scripted cut")
                if index == script.get("hang_after"):
                    await asyncio.sleep(3600)
                if index == script.get("malformed_after"):
                    yield "data: {this is not json\n\n"
                    return
                if index:
                    await asyncio.sleep(script.get("delay", 0.0))
                # "stamp": each token is the time it was sent, so a client can measure the latency.
                text = f"{time.time():.6f} " if script.get("stamp") else token
                yield chunk(model, delta={"content": text}, finish_reason=None)
                record["tokens_sent"] = index + 1
            for index, call in enumerate(calls):
                size = script.get("tool_piece", 8)
                arguments = call["arguments"]
                pieces = [arguments[at : at + size] for at in range(0, len(arguments), size)] or [""]
                for number, piece in enumerate(pieces):
                    fragment: dict[str, Any] = {"index": index, "function": {"arguments": piece}}
                    if number == 0 or script.get("split_ids"):
                        fragment |= {"id": call["id"], "type": "function"}
                        fragment["function"]["name"] = call["name"]
                    yield chunk(model, delta={"tool_calls": [fragment]}, finish_reason=None)
                    await asyncio.sleep(script.get("delay", 0.0))
                    if call.get("hang_after_piece") == number:
                        await asyncio.sleep(3600)
            if finish:
                yield chunk(model, delta={}, finish_reason=finish)
            if script.get("usage", True) and (body.get("stream_options") or {}).get("include_usage"):
                completion = len(tokens) + len(reasoning) + len(calls)
                usage: dict[str, Any] = {"prompt_tokens": 10 + len(messages), "completion_tokens": completion}
                usage["total_tokens"] = sum(usage.values())
                usage["completion_tokens_details"] = {"reasoning_tokens": len(reasoning)}
                yield f"data: {json.dumps({**json.loads(chunk(model)[6:]), 'usage': usage})}\n\n"
            yield "data: [DONE]\n\n"
            record["finished"] = True
            record["finished_at"] = time.time()
        except asyncio.CancelledError:
            record["disconnected"] = True
            record["disconnected_at"] = time.time()
            raise

    return StreamingResponse(events(), media_type="text/event-stream")


def _call(call: dict[str, Any]) -> dict[str, Any]:
    function = {"name": call["name"], "arguments": call["arguments"]}
    return {"id": call["id"], "type": "function", "function": function}


async def add_script(request: Request) -> Response:
    body = await request.json()
    scripts[body["match"]] = list(body["responses"])
    return JSONResponse({"ok": True})


async def list_requests(request: Request) -> Response:
    match = request.query_params.get("match")
    return JSONResponse([r for r in requests if match is None or r["match"] == match])


def meaning(text: str) -> list[float]:
    """A bag of the text's words (each mapped by `synonyms`), hashed into DIMENSIONS counts."""
    vector = [0.0] * DIMENSIONS
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        vector[zlib.crc32(synonyms.get(word, word).encode()) % DIMENSIONS] += 1.0
    vector[-1] += 0.01  # never all zeros
    return vector


async def embeddings(request: Request) -> Response:
    body = await request.json()
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    requests.append({"match": "_embeddings", "inputs": inputs, "disconnected": False})
    queue = scripts.get("_embeddings")
    scripted = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else {}
    if "status" in scripted:
        error = {"error": {"message": "scripted failure", "type": "server_error"}}
        return JSONResponse(error, status_code=scripted["status"])
    data = [{"object": "embedding", "index": i, "embedding": meaning(text)} for i, text in enumerate(inputs)]
    tokens = sum(len(text.split()) for text in inputs)
    usage = {"prompt_tokens": tokens, "total_tokens": tokens}
    return JSONResponse({"object": "list", "data": data, "model": body["model"], "usage": usage})


async def add_synonyms(request: Request) -> Response:
    synonyms.update(await request.json())
    return JSONResponse({"ok": True})


async def models(_request: Request) -> Response:
    return JSONResponse({"object": "list", "data": [{"id": "scripted", "object": "model"}]})


app = Starlette(
    routes=[
        Route("/v1/chat/completions", completions, methods=["POST"]),
        Route("/v1/models", models),
        Route("/v1/embeddings", embeddings, methods=["POST"]),
        Route("/_synonyms", add_synonyms, methods=["POST"]),
        Route("/_scripts", add_script, methods=["POST"]),
        Route("/_requests", list_requests),
    ]
)

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
