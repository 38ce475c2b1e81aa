"""Vocabularies from the seeds that several apps share and none owns alone.

`questionnaire`: the monitor questionnaire's answer options (seed 001, Bijlage 2). The monitor asks
them; closing a case records its outcome, obstacles and shortages in the same codes, so the monitor
is a by-product of the case work. Pure Python: no Django, no imports from the domain apps.
"""
