#!/usr/bin/env python3
"""Time and peak memory of `aims convert` on inputs made to be expensive.

Writes each input into a temporary folder (tens of MB each, 540–585 MB for the large records), converts it once with the release
build of `aims` (built first, the Swift runtime linked statically, as the README builds it), and
prints the wall-clock seconds, the peak resident memory (MiB), the exit status and the first
diagnostic. It shows that each is refused or read in bounded time and memory; nothing here is a
test, and no figure is checked: it prints them.

    python3 Benchmarks/hostile_inputs.py
    python3 Benchmarks/hostile_inputs.py --only xml-attributes,csv-open-quote
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def attributes(count):
    return " ".join(f'a{index}="v"' for index in range(count))


# name -> (file name, what it is, writer of its text)
INPUTS = {
    "csv-long-line": ("line.csv", "one CSV line of 150 MB",
                      lambda: "ID,Title\nR-1," + "x" * (150 * MB) + "\nR-2,ok\n"),
    "csv-open-quote": ("quote.csv", "a quoted CSV field of 1,000,000 short lines (5 MB)",
                       lambda: 'ID,Title\nR-1,"' + "line\n" * 1_000_000 + '"\nR-2,ok\n'),
    "csv-many-fields": ("fields.csv", "one CSV row of 2,000,000 fields",
                        lambda: "ID,Title\nR-1," + ",".join(["v"] * 2_000_000) + "\nR-2,ok\n"),
    "csv-wide-rows": ("wide.csv", "20,000 CSV rows of 2,000 fields (218 MB)",
                      lambda: "ID,Title," + ",".join(f"Attr {index}" for index in range(2000)) + "\n"
                      + "".join(f"R-{row},t," + ",".join(f"v{index}" for index in range(2000)) + "\n" for row in range(20_000))),
    "csv-tiny-rows": ("tiny.csv", "3,000,000 CSV rows of two fields",
                      lambda: "ID,Title\n" + "".join(f"{index},t\n" for index in range(3_000_000))),
    "csv-large-records": ("large.csv", "600 CSV rows of 900 KB (540 MB)",
                          lambda: "ID,Title,Description\n" + "".join(f"R-{index},t,{'x' * 900_000}\n" for index in range(600))),
    "csv-near-limit-records": ("limit.csv", "150 CSV rows of 3.9 MB, under the record limit (585 MB)",
                               lambda: "ID,Title,Description,Notes,Comments,Extra\n" + "".join(
                                   f"R-{index},t," + ",".join(["x" * 975_000] * 4) + "\n" for index in range(150))),
    "csv-many-references": ("references.csv", "100 CSV rows of 98,000 references each (100 MB)",
                            lambda: "ID,Title,Controls\n" + "".join(
                                f"R-{row},t," + ";".join(f"A.{index // 10000 + 2}.{index // 1000 % 10 + 1}.{index % 1000}"
                                                         for index in range(98_000)) + "\n" for row in range(100))),
    "json-long-string": ("string.json", "a JSON string of 100 MB",
                         lambda: '[{"id":"R-1","title":"' + "x" * (100 * MB) + '"},{"id":"R-2","title":"ok"}]'),
    "json-many-keys": ("keys.json", "a JSON object of 1,000,000 keys",
                       lambda: "[{" + ",".join(f'"k{index}":"v"' for index in range(1_000_000)) + '},{"id":"R-2","title":"ok"}]'),
    "json-large-records": ("large.json", "600 JSON records of 900 KB (540 MB)",
                           lambda: "[" + ",".join(f'{{"id":"R-{index}","description":"{"x" * 900_000}"}}' for index in range(600)) + "]"),
    "json-deep": ("deep.json", "JSON arrays nested 1,000,000 deep", lambda: "[" * 1_000_000 + "]" * 1_000_000),
    "ndjson-long-line": ("line.ndjson", "an NDJSON line of 100 MB",
                         lambda: '{"id":"R-1","title":"' + "x" * (100 * MB) + '"}\n{"id":"R-2","title":"ok"}\n'),
    "json-nested-records": ("nested.json", "one JSON record holding 50,000 nested records",
                            lambda: '[{"id":"S-1","name":"sys","risks":['
                            + ",".join(f'{{"id":"R-{index}","title":"t"}}' for index in range(50_000)) + "]}]"),
    "xml-deep": ("deep.xml", "XML elements nested 100,000 deep", lambda: "<a>" * 100_000 + "</a>" * 100_000),
    "xml-long-attribute": ("attribute.xml", "an XML attribute of 50 MB",
                           lambda: '<r><risk id="' + "y" * (50 * MB) + '"><title>t</title></risk><risk><id>R-2</id></risk></r>'),
    "xml-long-text": ("text.xml", "an XML text node of 60 MB",
                      lambda: "<r><risk><id>R-1</id><title>" + "x" * (60 * MB) + "</title></risk><risk><id>R-2</id></risk></r>"),
    "xml-large-records": ("large.xml", "600 XML records of 900 KB (540 MB)",
                          lambda: "<r>" + "".join(f"<risk><id>R-{index}</id><description>{'x' * 900_000}</description></risk>"
                                                  for index in range(600)) + "</r>"),
    "xml-wide-records": ("wide.xml", "10,000 XML records of 2,000 elements (530 MB)",
                         lambda: "<r>" + "".join("<risk><id>R-" + str(row) + "</id>"
                                                 + "".join(f"<attr_{index}>v{index}</attr_{index}>" for index in range(2000)) + "</risk>\n"
                                                 for row in range(10_000)) + "</r>"),
    "xml-distinct-names": ("names.xml", "500 XML records, each with an element name of its own of 40 KB (20 MB)",
                           lambda: "<rows>\n" + "".join(f"<row><id>R-{index}</id><n{index}{'x' * 40_000}/></row>\n"
                                                        for index in range(500)) + "</rows>\n"),
    "xml-attributes": ("attributes.xml", "an XML element with 300,000 attributes",
                       lambda: f'<r><risk {attributes(300_000)}><title>t</title></risk><risk><id>R-2</id></risk></r>'),
    "xml-many-fields": ("fields.xml", "an XML record of 300,000 child elements",
                        lambda: "<r><risk><id>R-1</id>" + "".join(f"<f{index}>v</f{index}>" for index in range(300_000))
                        + "</risk><risk><id>R-2</id><title>ok</title></risk></r>"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated names of the inputs to run (default: all)")
    parser.add_argument("--write", nargs=2, metavar=("NAME", "PATH"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.write:
        # In a process of its own: a child's peak memory (ru_maxrss) starts from its parent's
        # size at the fork, so the parent never holds an input.
        name, path = options.write
        pathlib.Path(path).write_text(INPUTS[name][2]())
        return
    names = options.only.split(",") if options.only else list(INPUTS)
    for name in names:
        if name not in INPUTS:
            sys.exit(f"unknown input '{name}'; known: {', '.join(INPUTS)}")
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "aims"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    aims = ROOT / ".build" / "release" / "aims"
    print(f"{'input':<22} {'what':<50} {'s':>6} {'MiB':>5} {'exit':>4}  first diagnostic")
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            file_name, what, _ = INPUTS[name]
            path = pathlib.Path(folder) / file_name
            subprocess.run([sys.executable, __file__, "--write", name, str(path)], check=True)
            command = [str(aims), "convert", str(path), "--as", "risks", "--format", "ndjson",
                       "-o", str(pathlib.Path(folder) / "out.ndjson")]
            start = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            errors = process.stderr.read().decode(errors="replace")
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            first = errors.splitlines()[0].split(": ", 1)[-1] if errors else ""
            print(f"{name:<22} {what:<50} {seconds:6.2f} {usage.ru_maxrss / 1024:5.0f} "
                  f"{os.waitstatus_to_exitcode(status):4}  {first[:90]}")
            path.unlink()


if __name__ == "__main__":
    main()
