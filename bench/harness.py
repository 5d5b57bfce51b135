"""The shared shape of every benchmark: interleaved rounds, a median ratio, one result line."""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULTS: list[Result] = []


@dataclass
class Result:
    name: str
    value: float
    minimum: float
    maximum: float
    rounds: int
    comparison: str
    target: float

    @property
    def passed(self) -> bool:
        return self.value <= self.target if self.comparison == "<=" else self.value >= self.target

    def line(self) -> str:
        verdict = "PASS" if self.passed else "MISS"
        return f"bench: {self.name}: {self.value:.2f} ({self.comparison} {self.target}) {verdict}"


def timed(action: Callable[[], object], repeat: int) -> float:
    """Seconds per call of `action`, over `repeat` calls."""
    start = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - start) / repeat


def compare(
    name: str,
    subject: Callable[[], object],
    baseline: Callable[[], object],
    *,
    comparison: str,
    target: float,
    rounds: int = 9,
    repeat: int = 20,
    throughput: bool = False,
) -> Result:
    """Time `subject` against `baseline` in alternating rounds; report the median ratio.

    The ratio is of times (subject / baseline), or with `throughput` of calls per second
    (baseline time / subject time), where higher is better.
    """
    subject()
    baseline()  # warm both up (template caches, connections)
    ratios, subject_times, baseline_times = [], [], []
    for index in range(rounds):
        # Alternate which goes first so that drift on a noisy machine hits both alike.
        if index % 2:
            b = timed(baseline, repeat)
            s = timed(subject, repeat)
        else:
            s = timed(subject, repeat)
            b = timed(baseline, repeat)
        ratios.append(b / s if throughput else s / b)
        subject_times.append(s)
        baseline_times.append(b)
    result = Result(
        name=name,
        value=statistics.median(ratios),
        minimum=min(ratios),
        maximum=max(ratios),
        rounds=rounds,
        comparison=comparison,
        target=target,
    )
    return _report(
        result,
        f"(subject {statistics.median(subject_times) * 1000:.2f} ms,"
        f" baseline {statistics.median(baseline_times) * 1000:.3f} ms)",
    )


def _report(result: Result, detail: str) -> Result:
    """Keep the result for results.json and print it: the figures, then the one-line form."""
    RESULTS.append(result)
    print(
        f"  {result.name}: median {result.value:.2f}, min {result.minimum:.2f},"
        f" max {result.maximum:.2f} {detail}"
    )
    print(result.line(), flush=True)
    return result


def write_results(directory: Path) -> Path:
    """Append this run's figures to results.json (make bench's record)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "results.json"
    payload = {
        "run_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "pid": os.getpid(),
        "results": [asdict(result) | {"passed": result.passed} for result in RESULTS],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def member_workspace(email: str, name: str) -> tuple[Any, Any, Any]:
    """A verified user, their new workspace, and a test client signed in as them."""
    from allauth.account.models import EmailAddress
    from django.test import Client as HttpClient

    from xeroadmin.accounts.models import User
    from xeroadmin.tenancy import services

    user = User.objects.create_user(email, "bench-password-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    workspace = services.workspace_create(user=user, name=name)
    http = HttpClient()
    http.force_login(user)
    return user, workspace, http


def budget(name: str, action: Callable[[], object], *, target: float, rounds: int = 3) -> Result:
    """Seconds `action` takes (median of `rounds`) against a budget in seconds, for work whose
    target is a time of its own (a nightly job's, say) rather than a ratio."""
    times = [timed(action, 1) for _ in range(rounds)]
    result = Result(
        name=name,
        value=statistics.median(times),
        minimum=min(times),
        maximum=max(times),
        rounds=rounds,
        comparison="<=",
        target=target,
    )
    RESULTS.append(result)
    print(
        f"  {name}: median {result.value:.2f} s, min {result.minimum:.2f}, max {result.maximum:.2f}"
    )
    print(result.line(), flush=True)
    return result


def settled() -> None:
    """The database as autovacuum would have left it by the time anyone searched, after a
    benchmark's bulk writes: statistics up to date (PostgreSQL plans from them) and the GIN
    indexes' pending lists merged (read linearly until then)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
