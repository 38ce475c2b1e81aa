"""Login with a second factor (TOTP), enrolment, notifications and API tokens."""

from __future__ import annotations

import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .decorators import verified_required
from .models import ApiToken, Notification
from .selectors import current_user
from .services import api_token_issue, notification_mark_all_read, notification_mark_read


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code uit uw authenticator-app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@login_required
def otp_view(request: HttpRequest) -> HttpResponse:
    """Verify the second factor; a user without a device first enrols one."""
    user = current_user(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(
            user=user, confirmed=False
        ).first() or TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    assert device is not None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
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
    context: dict[str, object] = {"form": form, "enrolling": enrolling}
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr"] = segno.make(device.config_url).svg_inline(scale=4)
    return render(request, "accounts/otp.html", context)


@verified_required
def notifications(request: HttpRequest) -> HttpResponse:
    notes = Notification.objects.filter(user=current_user(request))[:200]
    return render(request, "accounts/notifications.html", {"notes": notes})


@require_POST
@verified_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification_mark_read(user=current_user(request), notification_id=pk)
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
