"""Users, API tokens, roles and per-application / per-account permissions. A leaf package."""
