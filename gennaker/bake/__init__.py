"""Manifest rendering (Rosco's part): the ``bakeManifest`` stage, Helm through the Helm SDK, Kustomize through
kubectl's built-in kustomize.

Map of the package (who calls what):
- ``stage``: the ``bakeManifest`` stage (registered by the ``gennaker.stages`` entry point) and the
  renderer registry ``RENDERERS``; it fetches inputs, renders, and produces one ``embedded/base64`` artifact;
- ``request``: the stage JSON, checked (``parse_context``), and the ``BakeRequest`` renderers get;
- ``renderers``: the typed renderer registry (HELM3, KUSTOMIZE, KUSTOMIZE4; HELM2 and HELMFILE refuse
  clearly);
- ``helm`` (+ ``helm_sdk``, ``values``): ``helm template`` with the Helm SDK: values files, ``--set``
  overrides, dependencies, CRDs, capabilities;
- ``kustomize``: ``kubectl kustomize`` on a git checkout;
- ``workspace``: input artifacts fetched through ``gennaker.artifacts.service`` into a temporary directory;
- ``errors``: ``BakeError`` and its kinds; messages become the stage's failure.
Nothing here persists state.
"""
