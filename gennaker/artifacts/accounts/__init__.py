"""Artifact accounts: configured credentials that fetch artifact content, one module per account type.

Who calls it: the server's start-up and the API configure accounts (``AccountConfig`` ->
``create_account`` / ``AccountSet.put``); stages fetch with ``AccountSet.fetch(artifact)`` or an account's
``fetch``; bakeManifest uses ``GitRepoAccount.checkout`` for directories.

Built-in account types (``DEFAULT_REGISTRY``), keyed by the artifact types they serve:

====================  ==========================  ==========================================
account type          artifact types              module
====================  ==========================  ==========================================
``embedded``          ``embedded/base64``         ``embedded``
``http``              ``http/file``               ``http_file``
``github``            ``github/file``             ``github``
``gitlab``            ``gitlab/file``             ``gitlab``
``bitbucket``         ``bitbucket/file``          ``bitbucket``
``gitrepo``           ``git/repo``                ``git_repo`` (+ ``git_cache``)
``s3``                ``s3/object``               ``s3``
``helm``              ``helm/chart``,             ``helm`` (+ ``helm_oci``)
                      ``helm/index``
====================  ==========================  ==========================================

A third-party account type is a module with an ``AccountType`` registered the same way:
``DEFAULT_REGISTRY.register(MY_ACCOUNT_TYPE)``.
"""

from __future__ import annotations

from gennaker.artifacts.accounts import (
    bitbucket,
    embedded,
    git_repo,
    github,
    gitlab,
    helm,
    http_file,
    s3,
)
from gennaker.artifacts.accounts.base import AccountSettings, AccountType, ArtifactAccount
from gennaker.artifacts.accounts.config import REDACTED, AccountConfig
from gennaker.artifacts.accounts.registry import AccountSet, AccountTypeRegistry

DEFAULT_REGISTRY = AccountTypeRegistry()
for _module in (embedded, http_file, github, gitlab, bitbucket, git_repo, s3, helm):
    DEFAULT_REGISTRY.register(_module.ACCOUNT_TYPE)

#: Accounts every server has without configuration (Spinnaker's ``embedded-artifact``).
BUILTIN_ACCOUNTS: tuple[AccountConfig, ...] = (embedded.BUILTIN_ACCOUNT,)


def create_account(
    config: AccountConfig, registry: AccountTypeRegistry = DEFAULT_REGISTRY
) -> ArtifactAccount:
    """Build a ready account from its config; raises ``AccountConfigError`` naming the bad field."""
    return registry.create(config)


def default_account_set(registry: AccountTypeRegistry = DEFAULT_REGISTRY) -> AccountSet:
    """An ``AccountSet`` holding the built-in accounts; add configured ones with ``put``."""
    accounts = AccountSet(registry)
    for config in BUILTIN_ACCOUNTS:
        accounts.put(config)
    return accounts


__all__ = [
    "BUILTIN_ACCOUNTS",
    "DEFAULT_REGISTRY",
    "REDACTED",
    "AccountConfig",
    "AccountSet",
    "AccountSettings",
    "AccountType",
    "AccountTypeRegistry",
    "ArtifactAccount",
    "create_account",
    "default_account_set",
]
