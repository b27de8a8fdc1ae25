"""Notifications (Slack, email, webhook) on pipeline, stage and judgment events."""
