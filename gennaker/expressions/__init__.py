"""A sandboxed evaluator for Spinnaker's ``${ ... }`` expressions (a SpEL subset). Never Python
``eval``; an expression reaches only the data it is given. A leaf: imports no other gennaker package.
"""
