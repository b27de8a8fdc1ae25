"""Credentials shared by the HTTP-based account types: basic (username + password) or a token.

Who calls it: ``http_file``, ``github``, ``gitlab``, ``bitbucket`` and ``helm``. It turns an account's config
into the header or ``httpx`` auth its server expects, and refuses ambiguous configurations (both a
password and a token). Secrets are read from the config only at request time and never stored elsewhere.
"""

from __future__ import annotations

import httpx

from gennaker.artifacts.accounts.config import AccountConfig


def basic_auth(config: AccountConfig, username: str | None) -> httpx.BasicAuth | None:
    """Basic auth from ``settings.username`` + ``secrets.password``, if both are set."""
    password = config.secret("password")
    if username and password is not None:
        return httpx.BasicAuth(username, password)
    return None


def check_basic_or_token(config: AccountConfig, username: str | None) -> None:
    """Raise ``ValueError`` unless the credentials are: none, basic (username + password), or a token."""
    has_password = config.secret("password") is not None
    has_token = config.secret("token") is not None
    if has_password and has_token:
        raise ValueError("set either secrets.password (with settings.username) or secrets.token, not both")
    if has_password and not username:
        raise ValueError("secrets.password needs settings.username")
