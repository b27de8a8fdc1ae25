"""Gennaker: continuous delivery for Kubernetes in one process.

See ARCHITECTURE in docs/ for the map of packages and the direction of their dependencies.
"""

__version__ = "0.1.0"
