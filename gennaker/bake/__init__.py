"""Manifest rendering (bakeManifest): Helm through the Helm SDK, Kustomize through kubectl."""
