"""Base model shared by the domain apps."""

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="aangemaakt op")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="gewijzigd op")

    class Meta:
        abstract = True
