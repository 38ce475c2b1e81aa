"""Pages of continuity of care outside the case file: the GP's letters (Huisartsberichten) and
a letter as PDF. Every download is logged as an export; a refusal is a 403 and a denied row."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone

from vangnet.accounts.decorators import verified_required
from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor, request_actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.cases.access import Permission, granting_membership, log_list
from vangnet.common.pagination import keyset_page, page_links, page_or_redirect

from .models import GpLetter
from .selectors import gp_consent, gp_letters_for


def letter_reader(actor: Actor, letter: GpLetter) -> Membership | None:
    """Who may read a letter: the coordinator of the case's table (to send it), and the GPs of
    the practice it is addressed to while the client's consent covers that practice."""
    case = letter.case
    managing = granting_membership(actor, case, Permission.MANAGE)
    if managing is not None:
        return managing
    for m in actor.memberships:
        if (
            m.role == Role.GENERAL_PRACTITIONER
            and m.organisation_id == letter.practice_id
            and gp_consent(case, letter.practice_id)
        ):
            return m
    return None


def render_letter_pdf(letter: GpLetter, *, request: HttpRequest | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "continuity/gp_letter_pdf.html",
        {"letter": letter, "case": letter.case, "c": letter.contents, "printed_at": timezone.now()},
        request=request,
    )
    base = request.build_absolute_uri("/") if request is not None else None
    return bytes(HTML(string=html, base_url=base).write_pdf())


@verified_required
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(GpLetter.objects.select_related("case__table", "practice"), pk=pk)
    actor = request_actor(request)
    membership = letter_reader(actor, letter)
    access_log_write(
        actor=actor,
        action=Action.EXPORT,
        outcome=Outcome.ALLOWED if membership else Outcome.DENIED,
        case_id=letter.case_id,
        case_reference=letter.case.reference,
        membership=membership,
        detail=f"huisartsbrief {letter.pk} als pdf",
    )
    if membership is None:
        raise PermissionDenied
    response = HttpResponse(
        render_letter_pdf(letter, request=request), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="huisartsbrief-{letter.case.reference}-{letter.event}.pdf"'
    )
    return response


@verified_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The GP's letters about their patients (only while consent covers the practice)."""
    actor = request_actor(request)
    if not actor.has_role(Role.GENERAL_PRACTITIONER):
        access_log_write(
            actor=actor, action=Action.LIST, outcome=Outcome.DENIED, detail="huisartsberichten"
        )
        raise PermissionDenied
    # Newest first, page by page with "Meer berichten" (keyset: each letter once, no cap).
    page = page_or_redirect(
        request,
        lambda: keyset_page(
            gp_letters_for(actor),
            field="created_at",
            cursor=request.GET.get("na") or None,
            size=LETTERS_PER_PAGE,
        ),
    )
    if isinstance(page, HttpResponseRedirect):
        return page
    log_list(actor, detail="huisartsberichten")
    return render(
        request, "continuity/inbox.html", {"letters": page.rows, **page_links(request, page)}
    )


LETTERS_PER_PAGE = 50
