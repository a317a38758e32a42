#!/usr/bin/env python3
"""Time and peak memory of `aims report` on a large register, per output format.

Generates a synthetic register with ../shared/bench/gen_register.py (deterministic), converts it
with `aims convert` into a canonical register (JSON), then builds the whole report set from that
register in each format, several times. Prints the median seconds, records per second and the
peak resident memory (wait4's rusage, in MiB) of each, and the size of what was written. Nothing
here is a test: it prints figures.

    python3 Benchmarks/report_benchmark.py                    # 100,000 rows, 3 runs
    python3 Benchmarks/report_benchmark.py --rows 20000 --formats json,csv
"""
import os
import shutil
import statistics
import subprocess
import sys

from convert_benchmark import run, setup


def main():
    args, data, bench, aims = setup(__doc__, 100_000, "json,csv,md,html")
    source = data / f"register_{args.rows}.csv"
    if not source.exists():
        subprocess.run([sys.executable, str(bench / "gen_register.py"), "--rows", str(args.rows),
                        "--out", str(source)], check=True)
    # Not register_<rows>.json: that name is the JSON export convert_benchmark.py generates.
    register = data / f"canonical_{args.rows}.json"
    run([str(aims), "convert", str(source), "-o", str(register), "-q"], data / "convert.out")

    print(f"machine: {os.cpu_count()} cores; {args.rows:,} risks ({register.stat().st_size / 1e6:.0f} MB register); "
          f"median of {args.runs} runs; every report (soa, integrated, risks, inventory, gaps, log)")
    print(f"{'report set':<30} {'seconds':>8} {'records/s':>10} {'peak MiB':>8} {'written MB':>11}")
    for format in args.formats.split(","):
        output = data / f"reports-{format}"
        times, peaks = [], []
        for _ in range(args.runs):
            shutil.rmtree(output, ignore_errors=True)
            taken = run([str(aims), "report", str(register), "--format", format, "--as-of", "2025-06-30",
                         "-o", str(output)], data / "report.out")
            times.append(taken.seconds)
            peaks.append(taken.peak)
        written = sum(path.stat().st_size for path in output.iterdir()) / 1e6
        median = statistics.median(times)
        print(f"{'aims report --format ' + format:<30} {median:>8.1f} {args.rows / median:>10,.0f} {max(peaks):>8.0f} {written:>11.0f}")


if __name__ == "__main__":
    main()
