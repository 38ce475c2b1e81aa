"""The generated national waiting-list month now lives in the package (`vangnet.waitlists.
synthetic`), so the national data set of `python -m vangnet demo --scale national` can use it;
this name stays for `bench/import.py`."""

from vangnet.waitlists.synthetic import *  # noqa: F403
from vangnet.waitlists.synthetic import (  # noqa: F401
    GROUPS,
    N_PROVIDERS,
    generate,
    provider_agbs,
    provider_municipalities,
    write_csv,
)
