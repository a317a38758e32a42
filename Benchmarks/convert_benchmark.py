#!/usr/bin/env python3
"""Conversion throughput and peak memory of `aims convert`, beside reference parsers.

Generates a synthetic register with ../shared/bench/gen_register.py (deterministic), builds
`aims` in release mode (the Swift runtime linked statically, as the README builds it) and the
reference libcsv converter (csv2ndjson.c), then converts the same file with aims (twice: to
standard output as the reference does, and with `-o`, atomically and durably) and the format's
reference (csv2ndjson for CSV; `xmllint --stream` for XML, from Debian's libxml2-utils,
which `Scripts/install-deps --bench` installs with gcc; none for JSON), several times, in the same
run, the two taking turns (the machine's speed drifts; alternating runs share its spells). Prints the median MB/s
(input bytes / wall-clock seconds), the median CPU seconds (user + system, from wait4's rusage),
the output's size, the peak resident memory of each run (MiB), the ratio of aims to the
reference, and whether it meets the project's target (0.8 for CSV, 0.5 for XML). Nothing here is
a test: it prints figures.

    python3 Benchmarks/convert_benchmark.py                 # 1,000,000-row CSV, 5 runs
    python3 Benchmarks/convert_benchmark.py --rows 100000 --formats csv,xml,json
"""
import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time
import typing

ROOT = pathlib.Path(__file__).resolve().parent.parent


class Run(typing.NamedTuple):
    """One run of a command: wall-clock seconds, peak RSS in MiB, CPU seconds (user + system)."""
    seconds: float
    peak: float
    cpu: float


def run(command, output_path, stdout_path):
    """Runs a command with stdout to a file. The output of an earlier run is gone before the clock
    starts: standard output's file is truncated when it is opened, and a file the command writes
    itself (`-o`) is removed; otherwise its replacement would pay for freeing the old one (a
    rename over 971 MB took 0.16 s) where the truncation is free."""
    if output_path != stdout_path and output_path.exists():
        output_path.unlink()
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{command[0]} failed with status {os.waitstatus_to_exitcode(status)}")
    return Run(elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def measure(conversions, size, runs):
    """Runs the (label, command, output path, stdout path) conversions in turn, `runs` rounds;
    returns for each its median MB/s and CPU seconds, its peak memory, the size of its output and
    each run's seconds."""
    rounds = [[run(command, output, stdout) for _, command, output, stdout in conversions] for _ in range(runs)]
    results = []
    for index, (label, _, output, _) in enumerate(conversions):
        taken = [each_round[index] for each_round in rounds]
        seconds = statistics.median(one.seconds for one in taken)
        results.append({"label": label, "mbps": size / 1e6 / seconds, "peak": max(one.peak for one in taken),
                        "cpu": statistics.median(one.cpu for one in taken), "out": output.stat().st_size,
                        "seconds": [one.seconds for one in taken]})
    return results


def setup(description, rows, formats):
    """Parses the options every benchmark takes and builds `aims` in release mode; returns the
    options, the data folder, the shared bench folder and the `aims` binary."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=rows)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--formats", default=formats)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"), help="path of the shared/ folder")
    parser.add_argument("--data", default=str(ROOT / ".build" / "bench-data"), help="where generated inputs go")
    args = parser.parse_args()
    data = pathlib.Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    # The references' tools (gcc, xmllint) come from Debian like the build's libraries.
    subprocess.run([str(ROOT / "Scripts" / "install-deps"), "--bench"], check=True)
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "aims"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    return args, data, pathlib.Path(args.shared) / "bench", ROOT / ".build" / "release" / "aims"


def main():
    args, data, bench, aims = setup(__doc__, 1_000_000, "csv")
    reference = data / "csv2ndjson"
    subprocess.run(["gcc", "-O2", "-o", str(reference), str(bench / "csv2ndjson.c"), "-lcsv"], check=True)

    print(f"machine: {os.cpu_count()} cores; {args.rows:,} rows; median of {args.runs} runs, reference and aims taking turns")
    # The throughput each format's conversion should reach, as a ratio to its reference.
    targets = {"csv": 0.8, "xml": 0.5}
    print(f"{'conversion':<46} {'size MB':>8} {'MB/s':>7} {'CPU s':>6} {'out MB':>7} {'peak MiB':>8} {'ratio':>6}  target")
    for format in args.formats.split(","):
        extension = {"csv": "csv", "xml": "xml", "json": "json", "ndjson": "ndjson"}[format]
        source = data / f"register_{args.rows}.{extension}"
        if not source.exists():
            subprocess.run([sys.executable, str(bench / "gen_register.py"), "--rows", str(args.rows),
                            "--format", format, "--out", str(source)], check=True)
        size = source.stat().st_size
        conversions = []
        if format == "csv":
            conversions.append(("C libcsv reference (csv2ndjson.c)", [str(reference), str(source)],
                                data / "reference.ndjson", data / "reference.ndjson"))
        elif format == "xml" and shutil.which("xmllint"):
            # The XML reference: libxml2's own streaming reader walking the whole file.
            conversions.append(("xmllint --stream (libxml2 reference)", ["xmllint", "--stream", "--noout", str(source)],
                                data / "reference.out", data / "reference.out"))
        elif format == "xml":
            print("(no XML reference: xmllint not found; on Debian, Scripts/install-deps --bench installs it)")
        has_reference = bool(conversions)
        # aims twice: to standard output, as the reference writes, and with -o, as users convert
        # (written atomically and made durable before it replaces the target; see the README).
        command = [str(aims), "convert", str(source), "--format", "ndjson", "-q"]
        conversions.append((f"aims convert {format} --format ndjson > file", command,
                            data / "aims.ndjson", data / "aims.ndjson"))
        conversions.append((f"aims convert {format} --format ndjson -o file", command + ["-o", str(data / "aims-o.ndjson")],
                            data / "aims-o.ndjson", os.devnull))
        results = measure(conversions, size, args.runs)
        # Ratios are against the reference of the format (libcsv for CSV, xmllint for XML); JSON has none.
        base = results[0]["mbps"] if has_reference else None
        for index, result in enumerate(results):
            ratio = f"{result['mbps'] / base:>6.2f}" if base else f"{'-':>6}"
            verdict = ""
            if base and index > 0 and format in targets:
                met = result["mbps"] / base >= targets[format]
                verdict = f"  {targets[format]:.1f}: {'met' if met else 'not met'}"
            print(f"{result['label']:<46} {size / 1e6:>8.0f} {result['mbps']:>7.1f} {result['cpu']:>6.2f} "
                  f"{result['out'] / 1e6:>7.0f} {result['peak']:>8.1f} {ratio}{verdict}")
            if base and index > 0:
                # Each round's ratio, of two runs next to each other in time: how far the machine's
                # speed drifted during the benchmark, which the medians alone do not show.
                rounds = [reference / taken for reference, taken in zip(results[0]["seconds"], result["seconds"])]
                print(f"{'':<46} ratio in each round: {', '.join(f'{one:.2f}' for one in rounds)}")


if __name__ == "__main__":
    main()
