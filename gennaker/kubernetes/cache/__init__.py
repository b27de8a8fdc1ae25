"""The watch-based cache: ``cache.KubernetesCache`` (all accounts, subscribers), ``account.AccountCache``
(one account: watchers, health), ``watch.KindWatcher`` (list-then-watch of one kind), ``index.ObjectIndex``
(the in-memory index by kind, namespace, owner, application and cluster).
"""

from gennaker.kubernetes.cache.account import AccountCache, AccountHealth, CacheEvent
from gennaker.kubernetes.cache.cache import KubernetesCache, Subscription
from gennaker.kubernetes.cache.index import ObjectIndex

__all__ = ["AccountCache", "AccountHealth", "CacheEvent", "KubernetesCache", "ObjectIndex", "Subscription"]
