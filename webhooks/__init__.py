"""Webhooks: an organization's endpoints are told, signed per Standard Webhooks, what happened."""
