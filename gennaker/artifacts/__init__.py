"""Artifacts: fetching their content through accounts, binding them into manifests, and the artifacts of
Kubernetes objects. The artifact model and expected-artifact resolution are ``gennaker.model.artifacts``.

Map of the package (who calls what):
- ``accounts``: artifact accounts, one module per type, in one typed registry keyed by the artifact types
  they serve (``DEFAULT_REGISTRY``); ``AccountConfig`` -> ``create_account`` -> ``ArtifactAccount.fetch``;
  ``AccountSet`` holds a server's accounts and picks the one for an artifact. Called by stages
  (deployManifest with an artifact source, bakeManifest) and by the API that manages accounts.
- ``transport``: the bounded HTTP GET (timeout, size limit) the HTTP-based accounts share.
- ``binding``: required and optional artifacts bound into manifests (images, ConfigMap/Secret references,
  HPA targets), as pure functions; called by the Kubernetes provider's deploy and patch.
- ``produced``: the artifacts a live object uses (findArtifactsFromResource) and a deployed object's own
  artifact (``name-vNNN``); called by the Kubernetes provider and stages.
- ``helm_index``, ``semver``: Helm repository indexes and SemVer order (also used by the Helm trigger).
- ``errors``: every error the package raises; messages name the artifact, the account and the server's
  answer, and never a secret.
Nothing here persists state, except the git mirror cache of ``git/repo`` accounts (a cache directory).
"""
