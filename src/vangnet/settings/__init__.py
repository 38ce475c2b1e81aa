"""Settings per environment: base (shared), dev (embedded demo), test, production."""
