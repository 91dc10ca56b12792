"""The webhooks API: endpoints, their delivery logs and redelivery (organization admins only)."""
