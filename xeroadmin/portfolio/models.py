from __future__ import annotations

from typing import ClassVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class KeptFigures(models.Model):
    """An organisation's portfolio figures on one day, as worked out at one version of its
    books (`books.mirror.invoices_version`): fresh while the version is the same."""

    tenant = models.ForeignKey("connections.Tenant", on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    version = models.PositiveBigIntegerField()
    data = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "as_of"], name="portfolio_kept_unique")
        ]

    def __str__(self) -> str:
        return f"figures of {self.tenant_id} on {self.as_of} at version {self.version}"
