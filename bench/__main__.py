"""`python -m bench [NAME ...] [--repeat N] [--check]`: run benchmarks and print a table."""

import argparse
from collections.abc import Callable, Sequence

from bench import Comparison, booking_page, engine

# Name -> benchmark. Add new benchmarks here; each returns one Comparison.
BENCHMARKS: dict[str, Callable[..., Comparison]] = {
    "slots-60d-2000-busy": engine.slots_vs_sorting_busy,
    "slots-api-week": booking_page.slots_api_microsoft_vs_none,
}

_COLUMNS = ("benchmark", "subject", "median", "baseline", "median", "ratio", "target", "", "detail")


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
    _print_table(results)
    return 1 if args.check and not all(result.met for result in results) else 0


def _print_table(results: Sequence[Comparison]) -> None:
    rows = [_COLUMNS] + [
        (
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
        for result in results
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_COLUMNS))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


if __name__ == "__main__":
    raise SystemExit(main())
