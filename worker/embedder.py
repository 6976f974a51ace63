"""The configured embedding model (`RELAYCHAT_EMBEDDING_MODEL`): texts to stored vectors, in
batches, with the tokens it read; what went wrong as an AnswerFailure."""

from dataclasses import dataclass

from openai import AsyncOpenAI

from core.catalog import ModelSpec
from core.failures import AnswerFailure
from core.files.vectors import BadVector, pack
from core.settings import Settings
from worker.upstream import BAD_RESPONSE, classify, make_client

BATCH = 64
"""Texts per request: a 300-page document's chunks in a few requests, each well within any
server's limit on inputs."""
MAX_CHARS = 32_000
"""A text past this is cut before it is sent: a chunk is far shorter, a question may not be."""


@dataclass(frozen=True, slots=True)
class Embedded:
    vectors: list[bytes]  # packed (core/files/vectors.py), one per text, in their order
    tokens: int  # what the server counted, else an estimate (characters / 4)


class Embedder:
    """One client of the embedding model's server, made once at the worker's start-up."""

    def __init__(self, spec: ModelSpec, client: AsyncOpenAI) -> None:
        self.spec = spec
        self._client = client

    @classmethod
    def configured(cls, settings: Settings) -> "Embedder | None":
        if not settings.embedding_model:
            return None
        spec = ModelSpec(
            id=settings.embedding_model,
            base_url=settings.embedding_base_url,
            api_key_env=settings.embedding_api_key_env,
            input_price=settings.embedding_price,
        )
        client = make_client(
            spec.base_url,
            spec.api_key(),
            settings.upstream_connect_timeout_seconds,
            settings.upstream_idle_timeout_seconds,
        )
        return cls(spec, client)

    async def embed(self, texts: list[str]) -> Embedded:
        """Each text's vector; AnswerFailure when the server fails or answers with no vectors."""
        vectors: list[bytes] = []
        tokens = 0
        for start in range(0, len(texts), BATCH):
            batch = [text[:MAX_CHARS] for text in texts[start : start + BATCH]]
            try:
                response = await self._client.embeddings.create(
                    model=self.spec.id, input=batch, encoding_format="float"
                )
                ordered = sorted(response.data, key=lambda item: item.index)
                if len(ordered) != len(batch):
                    raise AnswerFailure("bad_response", BAD_RESPONSE)
                vectors += [pack(item.embedding) for item in ordered]
            except BadVector as error:
                raise AnswerFailure("bad_response", f"{BAD_RESPONSE} ({error})") from error
            except Exception as error:
                raise classify(error, str(self._client.base_url)) from error
            usage = getattr(response, "usage", None)
            tokens += usage.prompt_tokens if usage else sum(len(text) for text in batch) // 4
        return Embedded(vectors, tokens)

    async def close(self) -> None:
        await self._client.close()
