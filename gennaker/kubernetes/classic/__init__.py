"""The classic view (Spinnaker's V1 concepts over Kubernetes objects) and the classic actions.

Who calls it: the API's classic router (``gennaker.api.routers.classic``) and, through it, the CLI.

- ``health``: a pod as an instance with Spinnaker's health states (Up, Down, Starting, OutOfService,
  Unknown) and their aggregate;
- ``view``: applications -> clusters -> server groups -> instances, server group managers, load
  balancers and firewalls, computed from the watch cache (``KubernetesService.cache``) only: no kubectl
  fork and no API server round trip per request;
- ``actions``: Gate's server-group jobs (``resizeServerGroup``, ``enableServerGroup``, ...) translated
  into the manifest stages that already implement them (``scaleManifest``, ``enableManifest``, ...).

The classic ``deploy`` stage, which writes the manifests a beginner would not, is
``gennaker.kubernetes.stages.deploy``.
"""
