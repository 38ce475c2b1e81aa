"""Matching engine (issue 14): waiting candidates to free capacity, exactly, with a certificate.

Pure computation on numpy arrays; no Django, no other Vangnet packages. See
:mod:`vangnet.engines.matching.engine` for the problem and the certificate,
:mod:`vangnet.engines.matching.instance` for the JSON instance format and the cost model.

Typical use::

    instance = instance_from_json(json.loads(text))
    problem, km = instance.problem()
    solution = solve(problem)
    assert check_certificate(problem, solution.location, solution.prices).ok
"""

from vangnet.engines.matching.certificate import CertificateCheck, check_certificate
from vangnet.engines.matching.engine import Problem, ProblemError, Solution, greedy, solve
from vangnet.engines.matching.instance import (
    Instance,
    InstanceError,
    Parameters,
    instance_from_json,
    solve_instance,
)

__all__ = [
    "CertificateCheck",
    "Instance",
    "InstanceError",
    "Parameters",
    "Problem",
    "ProblemError",
    "Solution",
    "check_certificate",
    "greedy",
    "instance_from_json",
    "solve",
    "solve_instance",
]
