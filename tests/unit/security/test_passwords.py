import pytest
from argon2 import PasswordHasher

from workestra.security import hash_password, needs_rehash, verify_password


def test_hashed_password_verifies() -> None:
    hashed = hash_password("s3cret pässword")

    assert hashed.startswith("$argon2id$")
    assert "s3cret" not in hashed
    assert verify_password("s3cret pässword", hashed)


def test_wrong_password_does_not_verify() -> None:
    assert not verify_password("wrong", hash_password("right"))


@pytest.mark.parametrize(
    "garbage",
    ["", "not a hash", "$argon2id$v=19$m=1,t=1,p=1$xx$yy", "$2b$12$abcdefghijklmnopqrstuv"],
)
def test_malformed_hash_does_not_verify_and_does_not_raise(garbage: str) -> None:
    assert not verify_password("anything", garbage)


def test_fresh_hash_needs_no_rehash() -> None:
    assert not needs_rehash(hash_password("pw"))


def test_hash_with_weaker_parameters_still_verifies_but_needs_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("pw")

    assert verify_password("pw", weak)
    assert needs_rehash(weak)


def test_foreign_hash_needs_rehash() -> None:
    assert needs_rehash("$2b$12$abcdefghijklmnopqrstuv")
