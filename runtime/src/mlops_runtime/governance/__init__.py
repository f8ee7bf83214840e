"""Governance: lineage on every model version, the promotion policy, the audit log, rollback.

Every alias move goes through `aliases.move_alias`, which checks `config/promotion_policy.yaml`
(`policy.violations`) and appends to the audit log (`audit.AuditLog`, also logged to MLflow).
"""
