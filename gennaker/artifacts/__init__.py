"""Artifact types and accounts, expected-artifact matching and resolution, and binding of artifacts
into manifests.
"""
