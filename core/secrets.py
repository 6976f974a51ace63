"""Secrets kept at rest (an MCP server's headers and environment), sealed with a key from the
environment (`RELAYCHAT_SECRETS_KEY`): a stolen database holds no usable credential."""

import json

from cryptography.fernet import Fernet, InvalidToken


class NoSecretsKey(Exception):
    """Secrets were given, but relaychat has no key to seal them with."""

    def __init__(self) -> None:
        super().__init__("Set RELAYCHAT_SECRETS_KEY (`relaychat secrets-key` makes one) to store secrets.")


class SecretsUnreadable(Exception):
    """Sealed with another key than this process has."""


def new_key() -> str:
    return Fernet.generate_key().decode()


class SecretBox:
    """Seals a name-to-value map as one token, and opens it again."""

    def __init__(self, key: str | None) -> None:
        self._fernet = Fernet(key.encode()) if key else None

    def seal(self, values: dict[str, str]) -> str | None:
        """The sealed token; None for no values (nothing to keep, no key needed)."""
        if not values:
            return None
        if self._fernet is None:
            raise NoSecretsKey()
        return self._fernet.encrypt(json.dumps(values).encode()).decode()

    def open(self, sealed: str | None) -> dict[str, str]:
        if sealed is None:
            return {}
        if self._fernet is None:
            raise NoSecretsKey()
        try:
            opened: dict[str, str] = json.loads(self._fernet.decrypt(sealed.encode()))
        except InvalidToken:
            sentence = "The stored secrets were sealed with another RELAYCHAT_SECRETS_KEY."
            raise SecretsUnreadable(sentence) from None
        return opened
