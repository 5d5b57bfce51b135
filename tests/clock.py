"""`make test-clock`: the suite at each given time of day, the passes side by side (one per
core), each on a database, cache and broker of its own so that neither sees the other's rows.

    python -m tests.clock 00:00:30 23:59:30

Each pass's output is printed when it ends; the exit status is the first failure's, else 0.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Redis databases the passes use (the suite's own run keeps 14 for its cache, 15 as broker).
REDIS_DATABASES = (10, 11, 12, 13)


def own_database(url: str, index: int) -> str:
    """A PostgreSQL URL with the database name of pass `index`'s own."""
    return re.sub(r"/([^/?]+)(\?|$)", rf"/\1_clock{index}\2", url, count=1)


def own_redis(url: str, number: int) -> str:
    """A Redis URL with another numbered database."""
    return re.sub(r"/\d*$", "", url.rstrip("/")) + f"/{number}"


def environment(index: int, scratch: str) -> dict[str, str]:
    """This process's environment, with pass `index`'s own database, cache and broker."""
    env = dict(os.environ)
    if env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        env["DATABASE_URL"] = own_database(env["DATABASE_URL"], index)
    for offset, name in enumerate(("CACHE_URL", "CELERY_BROKER_URL")):
        if env.get(name, "").startswith(("redis://", "rediss://")):
            env[name] = own_redis(env[name], REDIS_DATABASES[index * 2 + offset])
    if not env.get("CELERY_BROKER_URL"):
        # The embedded broker is a SQLite file: one each, in the passes' temporary directory.
        env["CELERY_BROKER_URL"] = f"sqla+sqlite:///{scratch}/broker-{index}.sqlite3"
    return env


def main(times: list[str]) -> int:
    if not times or len(times) * 2 > len(REDIS_DATABASES):
        print("usage: python -m tests.clock HH:MM[:SS] [HH:MM[:SS]]")
        return 2
    scratch = tempfile.mkdtemp(prefix="clock-")
    logs = [Path(scratch) / f"pass-{n}.log" for n in range(len(times))]
    passes = []
    for index, (moment, log) in enumerate(zip(times, logs, strict=True)):
        command = [sys.executable, "-m", "pytest", "-q", "--clock", moment]
        with log.open("w") as out:
            passes.append(
                subprocess.Popen(
                    command, env=environment(index, scratch), stdout=out, stderr=subprocess.STDOUT
                )
            )
    status = 0
    for moment, log, process in zip(times, logs, passes, strict=True):
        code = process.wait()
        print(f"--- the suite at {moment} (exit {code})")
        print(log.read_text(), end="")
        status = status or code
    shutil.rmtree(scratch, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
