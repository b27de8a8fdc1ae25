"""A Kubernetes API server that runs in-process or standalone, with controllers and simulated
kubelets. It imports nothing from the rest of gennaker, so it can be reasoned about (and shipped) alone.
"""
