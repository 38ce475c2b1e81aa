"""The bestuurlijke overlegtafel: the top rung of the escalation ladder (seed 000, Zorgconsul's
fourth level) and the region's doorzettingsmacht (issue 16 §3).

A referral puts a stuck case before the board members (role BOARD_MEMBER) of the organisations
involved and the insurer. They see a summary written for them — never the patient's name, date
of birth, BSN or address — record their decision and the date by which it must be carried out;
the coordinator sees it in the case file and is reminded at that date.

Two routes lead here: the ladder (a case of the table at level 4) and the regional
doorzettingsmacht (a board member or coordinator brings a case in from outside the table's own
ladder; a board member's referral names no patient and may be linked to a case later).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vangnet.common.models import TimeStampedModel


class Route(models.TextChoices):
    LADDER = "ladder", "Escalatieladder (niveau 4)"
    DOORZETTINGSMACHT = (
        "doorzettingsmacht",
        "Regionale doorzettingsmacht (buiten de tafel om ingebracht)",
    )


class BoardReferral(TimeStampedModel):
    route = models.CharField("route", max_length=20, choices=Route.choices)
    table = models.ForeignKey(
        "regions.Table", on_delete=models.PROTECT, related_name="+", verbose_name="tafel"
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="board_referrals",
        verbose_name="casus",
    )
    # Written for the board: what is stuck, what was tried, what the board is asked. No
    # name, date of birth, BSN or address (the services refuse what looks like one).
    summary = models.TextField("samenvatting voor de overlegtafel")
    question = models.TextField("vraag aan de overlegtafel")
    organisations = models.ManyToManyField(
        "directory.Organisation", related_name="+", verbose_name="betrokken organisaties"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_as = models.CharField(max_length=30)
    submitted_by_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    decision = models.TextField("besluit", blank=True)
    deadline = models.DateField("uitvoeren uiterlijk", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    carried_out_at = models.DateTimeField(null=True, blank=True)
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    carried_out_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "agendapunt bestuurlijke overlegtafel"
        verbose_name_plural = "agendapunten bestuurlijke overlegtafel"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(route="ladder") | models.Q(case__isnull=False),
                name="board_ladder_needs_case",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_at__isnull=True) | models.Q(deadline__isnull=False),
                name="board_decision_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"Agendapunt {self.pk}"

    @property
    def status(self) -> str:
        if self.carried_out_at:
            return "Uitgevoerd"
        if self.decided_at:
            return "Besloten, uitvoeren uiterlijk"
        return "Wacht op besluit"
