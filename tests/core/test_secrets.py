"""SecretBox: what is sealed opens only with its key, and nothing is kept in the clear."""

import pytest

from core.secrets import NoSecretsKey, SecretBox, SecretsUnreadable, new_key


def test_sealed_values_open_with_their_key_only() -> None:
    box = SecretBox(new_key())
    sealed = box.seal({"Authorization": "Bearer s3cret"})
    assert sealed is not None
    assert "s3cret" not in sealed
    assert box.open(sealed) == {"Authorization": "Bearer s3cret"}
    with pytest.raises(SecretsUnreadable):
        SecretBox(new_key()).open(sealed)


def test_no_values_need_no_key_and_values_without_a_key_are_refused() -> None:
    keyless = SecretBox(None)
    assert keyless.seal({}) is None
    assert keyless.open(None) == {}
    with pytest.raises(NoSecretsKey):
        keyless.seal({"TOKEN": "x"})
