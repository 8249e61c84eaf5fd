"""The rules catalogue (shared domain/RULES.md as data) and the checks that enforce its dates,
amounts and counts."""
