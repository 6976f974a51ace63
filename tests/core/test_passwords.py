"""Password rules and hashes, without any process."""

import pytest
from argon2 import PasswordHasher

from core.passwords import WeakPassword, check_new, hash_password, needs_rehash, verify


@pytest.mark.parametrize("password", ["short", "x" * 257, "password", "PASSWORD1", "iloveyou", "qwertyuiop"])
def test_short_long_and_common_passwords_are_refused(password: str) -> None:
    with pytest.raises(WeakPassword):
        check_new(password)


@pytest.mark.parametrize("password", ["correct horse battery staple", "8 chars!", "ÄÖÜ äöü ß €", "x" * 256])
def test_any_long_enough_uncommon_password_is_accepted_without_composition_rules(password: str) -> None:
    check_new(password)


async def test_a_hash_is_argon2id_salted_and_verifies_only_its_password() -> None:
    first, second = await hash_password("a passphrase"), await hash_password("a passphrase")
    assert first.startswith("$argon2id$")
    assert first != second  # salted
    assert await verify(first, "a passphrase")
    assert not await verify(first, "another passphrase")
    assert not await verify("not a hash at all", "a passphrase")


async def test_no_account_never_verifies_however_it_is_asked() -> None:
    assert not await verify(None, "not the password of any account")


async def test_a_hash_made_with_older_parameters_asks_to_be_rehashed() -> None:
    weaker = PasswordHasher(time_cost=1, memory_cost=8192).hash("a passphrase")
    assert needs_rehash(weaker)
    assert not needs_rehash(await hash_password("a passphrase"))
    assert await verify(weaker, "a passphrase")
