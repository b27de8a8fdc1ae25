"""The Kubernetes provider (Spinnaker's Clouddriver, Kubernetes V2): accounts, the kubectl runner, a
watch-based cache, manifest operations, per-kind stability with fail fast, and the manifest stage types.

Map of the package (who calls what; docs/kubernetes.md is the user's guide):

- ``service.KubernetesService``: the facade the server builds, starts and installs (``set_default_service``);
  stages, the API and the classic view go through it.
- Accounts: ``accounts.KubernetesAccount`` (the validated model, its public view),
  ``registry.AccountRegistry`` (persisted in the store's accounts table, the settings file, the embedded
  sandbox, listeners), ``kubeconfig`` (an account's private files and HTTP endpoint), ``connections``
  (per-account kubectl and HTTP client, rebuilt on change).
- Changes: ``kubectl.Kubectl`` (every mutation through the real binary), ``kubectl_errors`` (its stderr as one
  message), ``operations`` (delete, scale, patch, rollouts, traffic, version cleanup), ``jobs`` (logs and
  property files).
- Reads: ``client.KubeClient`` (HTTP get/list/logs/discovery), ``cache`` (list-then-watch per kind, the index
  by application and cluster, health), ``wakeups`` (cache events wake waiting stages), ``views``
  (Clouddriver's JSON shapes for the API).
- Manifests: ``manifests.parse`` (flatten and validate), ``manifests.plan`` (Spinnaker's deploy order:
  priority, binding, versioning, annotations, traffic), ``manifests.apply`` (kubectl, partial-deploy reports),
  ``manifests.versioning``, ``manifests.annotate``, ``manifests.traffic``, ``manifests.strategy``,
  ``manifests.selectors``, ``manifests.names``.
- Kinds: ``kinds`` (one handler per kind: API location, priority, versioning, capabilities, stability rule),
  ``stability`` (the rule plus fail-fast pod checks), ``moniker``, ``targets`` (static, dynamic, label).
- Stages: ``stages`` (one module per stage type, registered through the ``gennaker.stages`` entry points).
- ``errors``: everything raised on purpose, with messages fit for a stage's failure.

Persisted: accounts (the store's ``accounts`` table, secrets encrypted) and, per account, a working directory
under ``$GENNAKER_HOME/kubernetes`` (inline kubeconfig, kubectl's discovery cache). Everything else is in
memory (the cache) or in the cluster.
"""
