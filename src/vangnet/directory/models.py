"""Organisations: referrers, table members, insurers, providers (the sociale kaart)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from vangnet.common.models import TimeStampedModel


class OrganisationType(models.TextChoices):
    GGZ_INSTITUTION = "ggz_institution", "Ggz-instelling"
    ADDICTION_CARE = "addiction_care", "Verslavingszorg"
    SHELTERED_HOUSING = "sheltered_housing", "Beschermd wonen"
    INTELLECTUAL_DISABILITY_CARE = "intellectual_disability_care", "Gehandicaptenzorg (LVB)"
    INSURER = "insurer", "Zorgverzekeraar"
    MUNICIPALITY = "municipality", "Gemeente"
    UCZ = "ucz", "Unit Complexe Zorgvragen (VWS)"
    GP_PRACTICE = "gp_practice", "Huisartsenpraktijk"
    CCE = "cce", "Centrum voor Consultatie en Expertise"
    OTHER = "other", "Overig"


class Organisation(TimeStampedModel):
    name = models.CharField("naam", max_length=200)
    organisation_type = models.CharField(
        "type", max_length=40, choices=OrganisationType.choices, default=OrganisationType.OTHER
    )
    agb_code = models.CharField(
        "AGB-code",
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", "Een AGB-code bestaat uit 8 cijfers.")],
    )
    kvk_number = models.CharField(
        "KvK-nummer",
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", "Een KvK-nummer bestaat uit 8 cijfers.")],
    )
    municipality = models.ForeignKey(
        "regions.Municipality", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "organisatie"
        verbose_name_plural = "organisaties"
        constraints = [
            models.UniqueConstraint(
                fields=["agb_code"], condition=~models.Q(agb_code=""), name="unique_agb_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name
