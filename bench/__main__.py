"""Run every benchmark of the package (`python -m bench`, what `make bench` calls).

A benchmark is any module `bench/*_bench.py` with a `main()`; they run one after the other, in
name order, so that one does not slow another down. `python -m bench etl report` runs only the
benchmarks whose names start with those words; options after the names (`python -m bench etl
--repeat 3`) go to every benchmark that runs. A benchmark that fails is reported and the others
still run; the exit status says whether all of them ran.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import time
import traceback
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def discover(wanted: list[str]) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE_DIR)])
                   if m.name.endswith("_bench"))
    return [n for n in names if not wanted or any(n.startswith(w) for w in wanted)]


def split_arguments(argv: list[str]) -> tuple[list[str], list[str]]:
    """Benchmark names first, then the options (and their values) passed on to each benchmark."""
    for position, argument in enumerate(argv):
        if argument.startswith("-"):
            return argv[:position], argv[position:]
    return argv, []


def run(name: str, options: list[str]) -> bool:
    print(f"\n=== bench.{name} ===", flush=True)
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"bench.{name}")
        entry = getattr(module, "main", None)
        if entry is None:
            print(f"bench.{name} has no main(): skipped")
            return False
        # main() may take argv (argparse style) or nothing at all.
        if inspect.signature(entry).parameters:
            result = entry(list(options))
        elif options:
            print(f"bench.{name} takes no options: {' '.join(options)} ignored")
            result = entry()
        else:
            result = entry()
    except SystemExit as stop:
        result = stop.code
    except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
        traceback.print_exc()
        result = 1
    print(f"=== bench.{name}: {time.perf_counter() - started:.1f} s ===", flush=True)
    return result in (None, 0, True)


def main(argv: list[str] | None = None) -> int:
    wanted, options = split_arguments(list(sys.argv[1:] if argv is None else argv))
    names = discover(wanted)
    if not names:
        print("no benchmark found (bench/*_bench.py with a main())")
        return 1
    results = {name: run(name, options) for name in names}
    failed = [name for name, ok in results.items() if not ok]
    print(f"\n{len(results) - len(failed)} of {len(results)} benchmarks ran"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
