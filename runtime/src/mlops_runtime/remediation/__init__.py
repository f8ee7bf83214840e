"""Alert -> action: a receiver for Alertmanager webhooks that applies the remediation policy."""
