"""Simulated nodes: the scheduler, the kubelets, fault injection and container logs.

``scheduler`` binds pending pods to nodes; ``kubelet`` runs bound pods through their lifecycle (``plan``
decides when each container starts, exits and becomes Ready, ``timeline`` says where it is at a given
time, ``podstatus`` writes that as a kubelet would); ``faults`` holds the fault-injection rules and
annotations; ``logs`` produces ``kubectl logs`` text. Registered by :mod:`gennaker.sandbox.builtin`.
"""
