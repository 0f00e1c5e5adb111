import pytest

from workestra.security import TokenBox, TokenBoxError

SECRET = "correct horse battery staple"
PLAINTEXT = "eyJ0eXAiOiJKV1QiLCJhbGciOi.refresh-token-Ünïcødé"


def test_sealed_value_opens_to_the_plaintext() -> None:
    box = TokenBox(SECRET)

    assert box.open(box.seal(PLAINTEXT)) == PLAINTEXT


def test_sealed_value_does_not_contain_the_plaintext() -> None:
    sealed = TokenBox(SECRET).seal("refresh-token-abc123")

    assert "refresh-token" not in sealed
    assert "abc123" not in sealed


def test_sealing_twice_gives_different_ciphertexts() -> None:
    box = TokenBox(SECRET)

    assert box.seal(PLAINTEXT) != box.seal(PLAINTEXT)


def test_tampered_value_is_refused() -> None:
    box = TokenBox(SECRET)
    sealed = box.seal(PLAINTEXT)
    middle = len(sealed) // 2
    tampered = sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1 :]

    with pytest.raises(TokenBoxError):
        box.open(tampered)


@pytest.mark.parametrize("garbage", ["", "not a token", "gAAAAA", "ünïcødé"])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(TokenBoxError):
        TokenBox(SECRET).open(garbage)


def test_value_sealed_under_another_secret_is_refused() -> None:
    sealed = TokenBox("another secret").seal(PLAINTEXT)

    with pytest.raises(TokenBoxError):
        TokenBox(SECRET).open(sealed)


def test_previous_secret_still_opens_old_values_and_new_values_use_the_new_secret() -> None:
    old_sealed = TokenBox("old secret").seal(PLAINTEXT)
    rotated = TokenBox(SECRET, previous_secret_keys=["old secret"])

    assert rotated.open(old_sealed) == PLAINTEXT
    assert TokenBox(SECRET).open(rotated.seal(PLAINTEXT)) == PLAINTEXT


def test_empty_secret_is_rejected() -> None:
    with pytest.raises(ValueError, match="secret_key"):
        TokenBox("")
