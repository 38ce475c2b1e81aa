"""The access log is not in the admin: the privacy officer reads it through /toegangslog/,
which is itself logged, and nobody can change it (see ADR 0001)."""
