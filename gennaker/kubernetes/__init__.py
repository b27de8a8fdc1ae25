"""The Kubernetes provider: accounts, the kubectl runner (the real binary), manifest operations
(artifact binding, versioning, moniker and traffic annotations), per-kind stability, a watch-based cache,
the classic cluster view, and the manifest stage types.
"""
