"""The local model through the whole stack (API, Redis, worker, llama.cpp server) against llama_cpp
called directly in-process, on the same prompt, side by side in one run.

Run: `.venv/bin/python -m bench.local_model`. Writes bench/results/local_model.json.
Tokens are counted with the model's own tokenizer for both, and the rate is decode speed:
tokens after the first one, over the time from the first to the last.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from llama_cpp import Llama

from core.catalog import LOCAL_MODEL_ID
from core.embedded import free_port, local_model_path
from tests.support.processes import wait_until
from tests.support.sse import SseEvent, read_stream
from tests.support.stack import Stack, Upstream, new_conversation

RESULTS = Path(__file__).parent / "results"
PROMPT = "Write a long story about a lighthouse keeper and a storm."
ROUNDS = 3
MAX_TOKENS = 256


def direct(llm: Llama) -> dict[str, float]:
    started = time.perf_counter()
    stamps: list[float] = []
    text = ""
    for chunk in llm.create_chat_completion(
        [{"role": "user", "content": PROMPT}], stream=True, max_tokens=MAX_TOKENS
    ):
        delta = chunk["choices"][0]["delta"].get("content")  # type: ignore[index, union-attr]
        if isinstance(delta, str) and delta:
            stamps.append(time.perf_counter())
            text += delta
    return rates(llm, text, started, stamps)


def through_stack(llm: Llama, client: httpx.Client) -> dict[str, float]:
    conversation = new_conversation(client)
    stamps: list[float] = []

    def note(event: SseEvent) -> None:
        if event.event == "delta":
            stamps.append(time.perf_counter())

    started = time.perf_counter()
    pair = client.post(f"/api/conversations/{conversation['id']}/messages", json={"content": PROMPT}).json()
    read = read_stream(client, pair["assistant_message"]["id"], timeout=300, on_event=note)
    if read.terminal is None or read.terminal.event != "done":
        raise RuntimeError(f"the answer did not complete: {read.terminal}")
    return rates(llm, read.terminal.data["content"], started, stamps)


def rates(llm: Llama, text: str, started: float, stamps: list[float]) -> dict[str, float]:
    tokens = len(llm.tokenize(text.encode(), add_bos=False))
    decode = stamps[-1] - stamps[0]
    return {
        "tokens": tokens,
        "ttft_s": stamps[0] - started,
        "decode_tokens_per_s": (tokens - 1) / decode if decode > 0 else 0.0,
        "end_to_end_tokens_per_s": tokens / (stamps[-1] - started),
    }


def summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]} | {"runs": runs}


def main() -> None:
    llm = Llama(str(local_model_path()), n_ctx=8192, verbose=False)
    port = free_port()
    model_server = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "model", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    model_url = f"http://127.0.0.1:{port}/v1"
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        upstream = Upstream(log_dir)  # unused by this stack, but Stack wants one
        stack = Stack(log_dir, upstream, settings={"max_answer_tokens": str(MAX_TOKENS)})
        for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "RELAYCHAT_MODELS_FILE", "RELAYCHAT_MODEL"):
            stack.env.pop(name, None)
        stack.env["RELAYCHAT_LOCAL_MODEL_URL"] = model_url
        try:
            wait_until(lambda: httpx.get(f"{model_url}/models").status_code == 200, 120, "model server")
            client = stack.start_api().client()
            stack.start_worker()
            direct(llm)  # warm both paths once
            through_stack(llm, client)
            direct_runs, stack_runs = [], []
            for _ in range(ROUNDS):  # interleaved, so drift hits both alike
                direct_runs.append(direct(llm))
                stack_runs.append(through_stack(llm, client))
        finally:
            stack.close()
            upstream.stop()
            model_server.terminate()
            model_server.wait(10)
    direct_summary, stack_summary = summary(direct_runs), summary(stack_runs)
    result = {
        "model": LOCAL_MODEL_ID,
        "prompt": PROMPT,
        "direct": direct_summary,
        "through_stack": stack_summary,
        "ratio_decode": stack_summary["decode_tokens_per_s"] / direct_summary["decode_tokens_per_s"],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "local_model.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "prompt"}, indent=2, default=str)[:2000])


if __name__ == "__main__":
    main()
