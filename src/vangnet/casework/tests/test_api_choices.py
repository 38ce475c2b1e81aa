"""The API states the models' choices as literals (an enum schema is named after its class, and
two classes called Kind would collide in the OpenAPI document); they must stay the same."""

from __future__ import annotations

from typing import get_args

import pytest

from vangnet.consultations import api as consultations_api
from vangnet.consultations.models import Consultation
from vangnet.meetings import api as meetings_api
from vangnet.meetings.models import Meeting, Participant
from vangnet.plans import api as plans_api
from vangnet.plans.models import ConfirmedVia, Financing, LifeDomain


@pytest.mark.parametrize(
    ("literal", "choices"),
    [
        (meetings_api.MeetingKind, Meeting.Kind),
        (meetings_api.ChairType, Meeting.Chair),
        (meetings_api.ParticipantKind, Participant.Kind),
        (plans_api.Domain, LifeDomain),
        (plans_api.FinancingKind, Financing),
        (plans_api.Via, ConfirmedVia),
        (consultations_api.RequesterType, Consultation.RequesterType),
    ],
)
def test_the_api_offers_exactly_the_models_choices(literal, choices):
    assert list(get_args(literal)) == list(choices.values)


def test_every_schema_name_in_the_openapi_document_is_one_class():
    """django-ninja keeps one component per class name: a second schema class of the same name
    in another app's router would silently describe the first one's operations."""
    from collections import Counter

    from ninja import Schema

    import vangnet.api.api  # noqa: F401  (imports every router)

    def subclasses(cls: type) -> set[type]:
        found = set(cls.__subclasses__())
        for sub in list(found):
            found |= subclasses(sub)
        return found

    ours = [c for c in subclasses(Schema) if c.__module__.startswith("vangnet.")]
    names = Counter(c.__name__ for c in ours if not c.__module__.endswith(".tests"))
    assert [n for n, count in names.items() if count > 1] == []
