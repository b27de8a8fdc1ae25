"""Webhook, git, docker registry, cron, helm and pipeline-completion triggers."""
