"""`AnswerFailure`: why an answer failed, as a code and a sentence a person can read."""

from dataclasses import dataclass


@dataclass
class AnswerFailure(Exception):
    """Why an answer failed: a code (part of the `error` event) and a sentence a person can read.

    `retryable` failures happened before any text and may be tried again.
    """

    code: str
    message: str
    retryable: bool = False
    retry_after: float | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
