"""Moments are written one way: relative, with the exact time in the `<time>` title."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xeroadmin.lib.templatetags.display import day, when


def test_a_moment_is_relative_with_the_exact_time_in_its_title() -> None:
    now = timezone.now()
    past = str(when(now - timedelta(minutes=5, seconds=3)))
    assert past.startswith('<time datetime="')
    assert ">5\xa0minutes ago</time>" in past
    assert 'title="' in past
    assert "UTC" in past
    assert ">in 2\xa0hours</time>" in str(when(now + timedelta(hours=2, minutes=1)))
    assert ">just now</time>" in str(when(now))
    assert when(None) == "—"


def test_a_day_is_written_one_way() -> None:
    assert day(timezone.now().date().replace(year=2026, month=3, day=1)) == "1 Mar 2026"
    assert day(None) == "—"
