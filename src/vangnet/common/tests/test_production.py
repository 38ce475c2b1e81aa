"""Production settings, the proxy in front, and the command line's guard rails (issue 10 §5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

STRONG_KEY = "k3y-" + "Zq8v!Lr2#Tw9$Xp4%Ny7&Mb1*Hc6(Jd0)Gf5" * 2


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VANGNET_", "DJANGO_")) and k != "DATABASE_URL"
    }
    base.update({"VANGNET_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "vangnet", *args],
        capture_output=True,
        text=True,
        env=base,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "vangnet.settings.production",
    "VANGNET_SECRET_KEY": STRONG_KEY,
    "VANGNET_ALLOWED_HOSTS": "vangnet.example.nl",
    "VANGNET_FIELD_KEYS": "2hJ2Hd2bLqg2bXUXy0m0G5m0nHc8QG3-1v8j0w8m6dE=",
}


def test_production_refuses_to_start_without_field_keys(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "VANGNET_FIELD_KEYS"}
    result = run(["check"], tmp_path, **env)
    assert result.returncode != 0
    assert "VANGNET_FIELD_KEYS must be set in production" in result.stderr


def test_check_deploy_with_production_settings_gives_no_warning(tmp_path):
    result = run(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.parametrize("key", ["short", "django-insecure-" + "x" * 60], ids=["short", "django"])
def test_a_weak_secret_key_is_refused(tmp_path, key):
    result = run(["check"], tmp_path, **{**PRODUCTION, "VANGNET_SECRET_KEY": key})
    assert result.returncode != 0
    assert "VANGNET_SECRET_KEY must be set in production" in result.stderr


def test_demo_refuses_under_production_settings(tmp_path):
    result = run(["demo"], tmp_path, **PRODUCTION, DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    assert result.returncode == 1
    assert "De demo draait niet met de productie-instellingen." in result.stderr


def test_without_settings_the_command_says_which_settings_it_uses(tmp_path):
    result = run(["check"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Instellingen: vangnet.settings.dev" in result.stderr
    quiet = run(["check"], tmp_path, DJANGO_SETTINGS_MODULE="vangnet.settings.dev")
    assert "Instellingen:" not in quiet.stderr


def test_the_proxy_settings_come_from_the_environment(tmp_path):
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps([settings.SECURE_PROXY_SSL_HEADER, settings.CSRF_TRUSTED_ORIGINS, "
        "settings.VANGNET_TRUSTED_PROXIES, settings.SECURE_HSTS_SECONDS]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VANGNET_", "DJANGO_"))}
    env.update(
        PRODUCTION,
        VANGNET_VAR_DIR=str(tmp_path),
        VANGNET_PROXY_SSL_HEADER="X-Forwarded-Proto",
        VANGNET_CSRF_TRUSTED_ORIGINS="https://vangnet.example.nl, https://b.example.nl",
        VANGNET_TRUSTED_PROXIES="10.0.0.2",
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout
    header, origins, proxies, hsts = json.loads(out)
    assert header == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert origins == ["https://vangnet.example.nl", "https://b.example.nl"]
    assert proxies == ["10.0.0.2"] and hsts == 31536000


# --- behind a TLS-terminating proxy: HSTS works and the redirect does not loop -----------------

BEHIND_PROXY = {
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
}


@pytest.mark.django_db
@override_settings(**BEHIND_PROXY)
def test_behind_the_proxy_https_requests_are_not_redirected_and_get_hsts():
    response = Client().get("/account/inloggen/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = Client().get("/account/inloggen/")
    assert plain.status_code == 301 and plain.url.startswith("https://")


# --- the API documentation is behind login in production ------------------------------------


@pytest.mark.django_db
@override_settings(VANGNET_API_DOCS_PUBLIC=False)
@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/openapi.json"])
def test_api_docs_need_a_verified_login_in_production(world, verified_client, path):
    response = Client().get(path)
    assert response.status_code == 302 and response.url.startswith("/account/inloggen/")
    assert verified_client(world.coordinator).get(path).status_code == 200


def test_production_workers_share_one_cache_on_the_host(tmp_path):
    """With a cache per process every gunicorn worker counted the national monitor report again
    after each change (five counts of a second or more instead of one); production's default is
    a file cache in var/, shared by the workers, and what one process stores another reads."""
    store = "from django.core.cache import cache; cache.set('gedeeld', 42, 60)"
    read = "from django.core.cache import cache; print(cache.get('gedeeld'))"
    assert run(["shell", "-c", store], tmp_path, **PRODUCTION).returncode == 0
    result = run(["shell", "-c", read], tmp_path, **PRODUCTION)
    assert result.stdout.strip().splitlines()[-1] == "42", result.stderr
    assert (tmp_path / "cache").is_dir()


def test_the_cache_place_is_chosen_in_words_we_check():
    from vangnet.settings.base import cache_from_url

    assert cache_from_url("")["BACKEND"].endswith("LocMemCache")
    assert cache_from_url("file:///srv/vangnet/cache") == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": "/srv/vangnet/cache",
    }
    with pytest.raises(ValueError, match="only file:///dir"):
        cache_from_url("memcached://127.0.0.1")
