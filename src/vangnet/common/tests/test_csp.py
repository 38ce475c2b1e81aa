"""A strict Content-Security-Policy on every response, and no inline code for it to block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.parametrize(
    "path",
    [
        "/account/inloggen/",
        "/casussen/overzicht/",
        "/bestaat-niet/",
        "/api/v1/cases",
        "/static/vangnet/style.css",
        "/api/v1/docs",
    ],
)
def test_every_response_carries_a_strict_policy(world, verified_client, path):
    response = verified_client(world.coordinator).get(path)
    policy = directives(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "http" not in header  # no third-party origin


def test_templates_have_no_inline_scripts_handlers_or_style_attributes():
    problems = []
    for template in SRC.rglob("templates/**/*.html"):
        if template.name.endswith("_pdf.html") or template.name.endswith("_print.html"):
            continue  # rendered to PDF by WeasyPrint, never served as a page
        text = template.read_text()
        for pattern in [
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)",
            r"\son[a-z]+=",
            r"\sstyle=",
            r"<style",
            r"hx-on",
            r"javascript:",
        ]:
            if re.search(pattern, text):
                problems.append(f"{template.relative_to(SRC)}: {pattern}")
    assert problems == []


def test_swagger_ui_comes_from_our_own_static_files(world, verified_client):
    html = verified_client(world.coordinator).get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
