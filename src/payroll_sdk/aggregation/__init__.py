"""Aggregation: ``get_profile``'s fan-out and merge, the summary, and batches of users."""

from ..models.profile import ResourceName
from ._batch import ProfileResult, iter_profiles
from ._fetch import fetch_profile, resolve_include
from ._outcome import failure_reason

__all__ = [
    "ProfileResult",
    "ResourceName",
    "failure_reason",
    "fetch_profile",
    "iter_profiles",
    "resolve_include",
]
