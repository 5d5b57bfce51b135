"""Form helpers shared by the apps' views."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form


def add_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, next to its field when it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
