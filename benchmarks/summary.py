"""`make bench`, last: one summary of the runs just made, with the goal beside each figure (✅/❌).

Reads what parts two and three wrote (test-output/bench/large_authority.json and cpu_per_request.json)
and prints their tables one after the other, then which goals were met. A goal not met is shown, not an
error: the benchmark measures, it does not fail a build (speed targets never live in tests).

    python -m benchmarks.summary
"""

from __future__ import annotations

import json
import sys

from benchmarks import cpu_per_request, large_authority
from benchmarks.large_authority import ROOT

OUT = ROOT / "test-output" / "bench"


def main() -> int:
    sections: list[tuple[str, list[str], bool]] = []
    concurrency = OUT / "large_authority.json"
    if concurrency.exists():
        report = json.loads(concurrency.read_text())
        lines, passed = large_authority.summary(report["setups"], report["audited_vs_unaudited"], report["clients"])
        sections.append(("Under gunicorn: latency, throughput against the bare endpoint and the floor, audited against unaudited", lines, passed))
    cpu = OUT / "cpu_per_request.json"
    if cpu.exists():
        report = json.loads(cpu.read_text())
        runs = {run["scale"]: run for run in report["runs"]}
        full, tenth = runs.get(1.0), runs.get(0.1)
        if full is None:
            full, tenth = tenth, None
        lines, passed = cpu_per_request.summary(full, tenth)
        sections.append(("CPU per request in process (production settings), at full size and at a tenth", lines, passed))
    if not sections:
        print("No benchmark results in test-output/bench: run `make bench`.", file=sys.stderr)
        return 1
    print("\n" + "=" * 100)
    print("SUMMARY OF `make bench`")
    for title, lines, _ in sections:
        print("\n" + title)
        print("\n".join(lines))
    print("\nGoals:")
    for title, _, passed in sections:
        print(f"  {'✅ all met' if passed else '❌ not all met'}: {title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
