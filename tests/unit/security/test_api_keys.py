import hashlib
import re

import pytest

from workestra.security import generate_api_key, hash_api_key, parse_prefix, verify_api_key


def test_generated_key_has_the_documented_shape() -> None:
    key, prefix, digest = generate_api_key()

    assert re.fullmatch(r"wk_[0-9a-f]{10}_[A-Za-z0-9_-]{43}", key)
    assert key.startswith(f"wk_{prefix}_")
    assert 8 <= len(prefix) <= 12
    assert digest == hashlib.sha256(key.encode()).hexdigest()
    assert digest == hash_api_key(key)


def test_generated_keys_are_unique() -> None:
    keys = {generate_api_key()[0] for _ in range(50)}

    assert len(keys) == 50


def test_prefix_is_parsed_back_from_the_key() -> None:
    key, prefix, _ = generate_api_key()

    assert parse_prefix(key) == prefix


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "wk_",
        "wk_0123456789",
        "wk_0123456789_short",
        "xx_0123456789_" + "a" * 43,
        "wk_XYZ3456789_" + "a" * 43,
        "wk_0123456789_" + "a" * 42 + "!",
        "wk_0123456789_" + "a" * 43 + "\n",
        "Bearer wk_0123456789_" + "a" * 43,
    ],
)
def test_malformed_key_has_no_prefix(malformed: str) -> None:
    assert parse_prefix(malformed) is None


def test_key_verifies_against_its_digest_only() -> None:
    key, _, digest = generate_api_key()
    other_key, _, _ = generate_api_key()

    assert verify_api_key(key, digest)
    assert not verify_api_key(other_key, digest)
    assert not verify_api_key(key, "")
