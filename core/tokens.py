from functools import lru_cache
from typing import Protocol

import bpe_openai

# What a chat template adds around each message (role markers, separators); the same
# allowance OpenAI documents for its chat models, and enough for llama.cpp's templates.
MESSAGE_OVERHEAD_TOKENS = 4
REPLY_PRIMER_TOKENS = 3


class TokenCounter(Protocol):
    def count(self, text: str) -> int: ...


class BpeCounter:
    """Counts with an OpenAI BPE encoding that ships inside the wheel (no download at run time)."""

    def __init__(self, encoding_name: str = "o200k_base") -> None:
        self._encoding = bpe_openai.get_encoding(encoding_name)

    def count(self, text: str) -> int:
        return len(self._encoding.encode(text))


@lru_cache
def counter_for(model: str) -> TokenCounter:
    try:
        encoding = bpe_openai.encoding_name_for_model(model)
    except Exception:
        encoding = "o200k_base"
    return BpeCounter(encoding)


def message_tokens(counter: TokenCounter, content: str) -> int:
    return counter.count(content) + MESSAGE_OVERHEAD_TOKENS
