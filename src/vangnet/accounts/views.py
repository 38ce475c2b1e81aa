"""Login with a second factor (TOTP), enrolment, notifications and API tokens."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.db.models import DateTimeField, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from vangnet.common.pagination import keyset_page_by, page_links, page_or_redirect

from .decorators import verified_required
from .models import ActivationLink, ApiToken, EmailPreference, Notification
from .selectors import actor_for, current_user, notifications_visible_qs, request_actor
from .services import (
    account_activate,
    api_token_issue,
    api_token_revoke,
    email_preference_set,
    notification_mark_all_read,
    notification_mark_read,
    password_changed,
)
from .spraying import address_locked


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if address_locked(request):  # password spraying from this address
            return render(request, "accounts/locked.html", status=429)
        return super().post(request, *args, **kwargs)


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code uit uw authenticator-app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@login_required
def otp_view(request: HttpRequest) -> HttpResponse:
    """Verify the second factor (enrolled through the activation link, never here)."""
    user = current_user(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        # No enrolment on first use of a password (whoever had it could enrol their own app):
        # a second factor is only enrolled through the one-time activation link.
        return render(
            request,
            "errors/error.html",
            {
                "title": "Nog geen tweede factor",
                "message": "Uw account heeft nog geen tweede factor. Gebruik de activeringslink "
                "uit uw e-mail, of vraag de beheerder om een nieuwe link.",
            },
            status=403,
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, "Tweede factor bevestigd.")
            target = request.GET.get("next", "")
            # Only redirect within Vangnet: an off-site ?next= would be an open redirect.
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = "cases:dashboard"
            return redirect(target)
        form.add_error("token", "Deze code klopt niet of is verlopen. Probeer de nieuwste code.")
    return render(request, "accounts/otp.html", {"form": form})


class ActivationForm(SetPasswordForm):
    token = forms.CharField(
        label="Code uit uw authenticator-app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    error_messages = {
        **SetPasswordForm.error_messages,
        "password_mismatch": "De twee wachtwoorden zijn niet gelijk.",
    }


def activate(request: HttpRequest, key: str) -> HttpResponse:
    """The one-time activation link: set a password and enrol the authenticator, together."""
    link = ActivationLink.valid(key)
    if link is None:
        return render(
            request,
            "errors/error.html",
            {
                "title": "Link werkt niet",
                "message": "Deze activeringslink is ongeldig, al gebruikt of verlopen. "
                "Vraag de beheerder om een nieuwe.",
            },
            status=404,
        )
    user = link.user
    device = TOTPDevice.objects.filter(
        user=user, confirmed=False
    ).first() or TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    form = ActivationForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            account_activate(link=link, password=form.cleaned_data["new_password1"])
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            messages.success(request, "Uw account is geactiveerd.")
            return redirect("cases:dashboard")
        form.add_error("token", "Deze code klopt niet of is verlopen. Probeer de nieuwste code.")
    return render(
        request,
        "accounts/activate.html",
        {
            "form": form,
            "secret": base64.b32encode(device.bin_key).decode(),
            "qr": segno.make(device.config_url).svg_inline(scale=4),
        },
    )


@verified_required
def notifications(request: HttpRequest) -> HttpResponse:
    from vangnet.cases.access import log_list

    actor = request_actor(request)
    sort = request.GET.get("sorteer", "-datum")
    if sort not in NOTIFICATION_SORTS:
        sort = "-datum"
    notes = notifications_visible_qs(actor)
    if sort == "ongelezen":
        # Unread first: an unread note counts as read at the epoch, so the key is never NULL.
        notes = notes.annotate(
            read_or_epoch=Coalesce("read_at", Value(EPOCH), output_field=DateTimeField())
        )
    # Page by page with a "Meer meldingen" link (keyset: each note exactly once, no OFFSET).
    page = page_or_redirect(
        request,
        lambda: keyset_page_by(
            notes,
            order=NOTIFICATION_SORTS[sort],
            cursor=request.GET.get("na") or None,
            size=NOTIFICATIONS_PER_PAGE,
            name=f"meldingen {sort}",
        ),
        sort=sort,
    )
    if isinstance(page, HttpResponseRedirect):
        return page
    # The page lists case references: a list event in the access log (NEN 7513).
    log_list(actor, detail="meldingen")
    preference = EmailPreferenceForm(initial={"preference": actor.user.email_preference})
    return render(
        request,
        "accounts/notifications.html",
        {
            "notes": page.rows,
            **page_links(request, page),
            "sort": sort,
            "preference_form": preference,
        },
    )


NOTIFICATIONS_PER_PAGE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NOTIFICATION_SORTS: dict[str, tuple[str, ...]] = {
    "-datum": ("-created_at", "-pk"),
    "datum": ("created_at", "pk"),
    "ongelezen": ("read_or_epoch", "-created_at", "-pk"),
    "casus": ("case_reference", "-created_at", "-pk"),
}


@require_POST
@verified_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification_mark_read(user=current_user(request), notification_id=pk)
    return redirect("accounts:notifications")


@verified_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The link in an e-mail: the user's own notification, marked read, opened where it leads
    (the case as this reader may see it, or the notifications page). Someone else's is a 404."""
    note = get_object_or_404(Notification, pk=pk, user=current_user(request))
    notification_mark_read(user=note.user, notification_id=note.pk)
    if note.case_reference:
        visible = notifications_visible_qs(actor_for(note.user)).filter(pk=note.pk).exists()
        if visible:
            return redirect("cases:open", reference=note.case_reference)
    return redirect("accounts:notifications")


class EmailPreferenceForm(forms.Form):
    preference = forms.ChoiceField(
        label="E-mail bij meldingen", choices=EmailPreference.choices, widget=forms.RadioSelect
    )


@require_POST
@verified_required
def notification_preference(request: HttpRequest) -> HttpResponse:
    form = EmailPreferenceForm(request.POST)
    if form.is_valid():
        email_preference_set(user=current_user(request), preference=form.cleaned_data["preference"])
        messages.success(request, "Uw voorkeur voor e-mail is opgeslagen.")
    else:
        messages.error(request, "Kies hoe u meldingen per e-mail wilt ontvangen.")
    return redirect("accounts:notifications")


@require_POST
@verified_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notification_mark_all_read(user=current_user(request))
    messages.success(
        request, f"{count} melding{'' if count == 1 else 'en'} als gelezen gemarkeerd."
    )
    return redirect("accounts:notifications")


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Naam van het token", max_length=100)


@verified_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _, raw = api_token_issue(user=current_user(request), name=form.cleaned_data["name"])
    tokens = ApiToken.objects.filter(user=current_user(request), revoked=False)
    return render(request, "accounts/api_tokens.html", {"form": form, "raw": raw, "tokens": tokens})


@require_POST
@verified_required
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    if api_token_revoke(user=current_user(request), token_id=pk):
        messages.success(request, "Het token is ingetrokken en werkt niet meer.")
    return redirect("accounts:api_tokens")


class DutchPasswordChangeForm(PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Uw huidige wachtwoord klopt niet.",
        "password_mismatch": "De twee nieuwe wachtwoorden zijn niet gelijk.",
    }


@verified_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password: the API tokens are revoked and other sessions end; this
    session stays logged in (with its second factor)."""
    user = current_user(request)
    form = DutchPasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, user)
        revoked = password_changed(user=user)
        messages.success(
            request,
            "Uw wachtwoord is gewijzigd. Andere sessies zijn beëindigd"
            + (f" en {revoked} API-token(s) ingetrokken." if revoked else "."),
        )
        return redirect("cases:dashboard")
    return render(request, "accounts/password_change.html", {"form": form})
