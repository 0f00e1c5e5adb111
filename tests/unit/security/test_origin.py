"""Origins compared the way browsers serialise them (RFC 6454): scheme, host, and a non-default port."""

import pytest

from workestra.security.csrf import origin_of, same_origin

OWN = ("https://book.example.org", "http://127.0.0.1:8000/")


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Book.Example.org", "https://book.example.org"),
        ("https://book.example.org:443/settings?x=1", "https://book.example.org"),
        ("http://127.0.0.1:80/", "http://127.0.0.1"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8000/x", "http://[::1]:8000"),
        ("null", None),
        ("ftp://book.example.org", None),
        ("https://book.example.org:99999", None),
        ("https://", None),
        ("", None),
    ],
)
def test_origin_of(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    ("origin", "referer", "accepted"),
    [
        ("https://book.example.org", None, True),
        ("http://127.0.0.1:8000", "https://evil.example/", True),  # Origin wins over Referer
        (None, "https://book.example.org/settings/account", True),
        (None, None, True),  # nothing to judge by: the CSRF token decides
        ("https://evil.example", None, False),
        ("https://book.example.org.evil.example", None, False),
        ("http://book.example.org", None, False),  # another scheme is another origin
        ("https://book.example.org:8443", None, False),
        ("null", None, False),
        (None, "https://evil.example/form", False),
        (None, "not a url", False),
    ],
)
def test_same_origin(origin: str | None, referer: str | None, accepted: bool) -> None:
    assert same_origin(origin=origin, referer=referer, own_origins=OWN) is accepted
