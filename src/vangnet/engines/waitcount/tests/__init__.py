"""Tests of the waiting-count engine. They need neither Django nor a database."""

import os

# Test processes share a small, busy machine: with OpenMP's default busy-waiting, a numba
# parallel call whose thread is descheduled can take 10x longer. Passive waiting keeps the
# two-thread tests fast; it only takes effect if OpenMP is not loaded yet, and changes no result.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
