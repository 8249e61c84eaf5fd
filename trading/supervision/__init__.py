"""The in-venue supervision log (场内监督日志): signed, append-only entries by the sector's supervisors."""
