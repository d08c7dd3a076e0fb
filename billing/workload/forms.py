"""The subsidy-rate form: validates and normalises only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class WorkloadRateForm(forms.Form):
    workload_rate_per_period = forms.DecimalField(
        label=_("教师每课时补助（元）"), max_digits=6, decimal_places=2, min_value=0
    )
