from datetime import UTC, datetime, timedelta

import pytest

from workestra.security import CsrfSigner

ISSUED_AT = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def signer() -> CsrfSigner:
    return CsrfSigner("app secret")


def test_token_verifies_for_its_session(signer: CsrfSigner) -> None:
    token = signer.issue("session-1")

    assert signer.verify(token, "session-1")


def test_token_does_not_reveal_the_session_id(signer: CsrfSigner) -> None:
    assert "session-abcdef" not in signer.issue("session-abcdef")


def test_token_for_another_session_is_refused(signer: CsrfSigner) -> None:
    token = signer.issue("session-1")

    assert not signer.verify(token, "session-2")


def test_token_signed_with_another_secret_is_refused(signer: CsrfSigner) -> None:
    token = CsrfSigner("other secret").issue("session-1")

    assert not signer.verify(token, "session-1")


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "ünïcødé", "x" * 500])
def test_malformed_token_is_refused(signer: CsrfSigner, garbage: str) -> None:
    assert not signer.verify(garbage, "session-1")


def test_tampered_token_is_refused(signer: CsrfSigner) -> None:
    token = signer.issue("session-1")
    tampered = ("B" if token[0] != "B" else "C") + token[1:]

    assert not signer.verify(tampered, "session-1")


def test_token_is_valid_until_max_age_and_refused_after(signer: CsrfSigner) -> None:
    token = signer.issue("session-1", now=ISSUED_AT)

    assert signer.verify(token, "session-1", 3600, now=ISSUED_AT + timedelta(seconds=3600))
    assert not signer.verify(token, "session-1", 3600, now=ISSUED_AT + timedelta(seconds=3601))


def test_token_issued_a_day_ago_is_expired_by_default(signer: CsrfSigner) -> None:
    token = signer.issue("session-1", now=ISSUED_AT)

    assert not signer.verify(token, "session-1", now=ISSUED_AT + timedelta(days=1, seconds=1))


def test_token_from_the_future_is_refused(signer: CsrfSigner) -> None:
    token = signer.issue("session-1", now=ISSUED_AT + timedelta(minutes=5))

    assert not signer.verify(token, "session-1", now=ISSUED_AT)
