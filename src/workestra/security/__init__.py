"""Secrets handling: token encryption at rest, password hashing, API keys and CSRF tokens."""

from workestra.security.api_keys import (
    generate_api_key,
    hash_api_key,
    parse_prefix,
    verify_api_key,
)
from workestra.security.csrf import CsrfSigner
from workestra.security.passwords import hash_password, needs_rehash, verify_password
from workestra.security.token_box import TokenBox, TokenBoxError

__all__ = [
    "CsrfSigner",
    "TokenBox",
    "TokenBoxError",
    "generate_api_key",
    "hash_api_key",
    "hash_password",
    "needs_rehash",
    "parse_prefix",
    "verify_api_key",
    "verify_password",
]
