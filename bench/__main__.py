"""`python -m bench [NAME ...] [--repeat N] [--check]`: run benchmarks and print their tables."""

import argparse
from collections.abc import Callable, Sequence

from bench import Comparison, Skipped, booking_page, engine, fanout, throughput
from bench.throughput import Throughput

Result = Comparison | Throughput | Skipped

# Name -> benchmark. Add new benchmarks here; each returns a Comparison (timed against a baseline),
# a Throughput (requests/s under load against a static file), or Skipped (with what to install).
BENCHMARKS: dict[str, Callable[..., Result]] = {
    "slots-60d-2000-busy": engine.slots_vs_sorting_busy,
    "slots-api-week": booking_page.slots_api_microsoft_vs_none,
    "public-throughput": throughput.public_pages_throughput,
    "round-robin-fanout": fanout.round_robin_fanout,
}

_COLUMNS = ("benchmark", "subject", "median", "baseline", "median", "ratio", "target", "", "detail")
_THROUGHPUT_COLUMNS = (
    "benchmark",
    "engine",
    "target",
    "requests/s",
    "p50",
    "p99",
    "p99/p50",
    "÷ static",
    "checks",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--repeat", type=int, default=7, help="timeit repeats (median is shown)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    results = [BENCHMARKS[name](repeat=args.repeat) for name in args.names or BENCHMARKS]
    comparisons = [result for result in results if isinstance(result, Comparison)]
    throughputs = [result for result in results if isinstance(result, Throughput)]
    if comparisons:
        _print_rows([_COLUMNS, *map(_comparison_row, comparisons)])
    for measured in throughputs:
        print()
        _print_rows([_THROUGHPUT_COLUMNS, *_throughput_rows(measured)])
        for note in measured.notes:
            print(f"  {note}")
    for skipped in (result for result in results if isinstance(result, Skipped)):
        print(f"\n{skipped.name} skipped: {skipped.reason}")
    return 1 if args.check and not all(result.met for result in results) else 0


def _comparison_row(result: Comparison) -> tuple[str, ...]:
    return (
        result.name,
        result.subject,
        f"{result.subject_seconds * 1e3:.3f} ms",
        result.baseline,
        f"{result.baseline_seconds * 1e3:.3f} ms",
        f"{result.ratio:.2f}x",
        f"<= {result.target_ratio:g}x",
        "ok" if result.met else "MISSED",
        result.detail,
    )


def _throughput_rows(result: Throughput) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for row in result.rows:
        checks = "; ".join(f"{check.label} {'ok' if check.met else 'MISSED'}" for check in row.checks)
        rows.append(
            (
                result.name,
                row.engine,
                row.target,
                f"{row.per_second:.0f}",
                f"{row.p50_seconds * 1e3:.1f} ms",
                f"{row.p99_seconds * 1e3:.1f} ms",
                f"{row.p99_seconds / row.p50_seconds:.1f}x",
                f"{row.to_static:.2f}",
                checks,
            )
        )
    return rows


def _print_rows(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


if __name__ == "__main__":
    raise SystemExit(main())
