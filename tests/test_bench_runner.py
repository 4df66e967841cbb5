"""`python -m bench NAME... [OPTIONS]`: names pick the benchmarks, options reach each of them."""

import subprocess
import sys

from bench.__main__ import split_arguments


def test_names_come_before_the_options():
    assert split_arguments(["etl", "--repeat", "3"]) == (["etl"], ["--repeat", "3"])
    assert split_arguments(["etl", "report"]) == (["etl", "report"], [])
    assert split_arguments(["--repeat", "2"]) == ([], ["--repeat", "2"])


def test_options_reach_the_benchmark_instead_of_being_taken_for_names():
    # --help makes the ETL benchmark print its own options and stop before measuring anything.
    run = subprocess.run([sys.executable, "-m", "bench", "etl", "--help"], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "--repeat" in run.stdout
    assert "1 of 1 benchmarks ran" in run.stdout


def test_an_option_a_benchmark_does_not_know_fails_that_benchmark_with_its_usage():
    run = subprocess.run([sys.executable, "-m", "bench", "etl", "--no-such-option"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "unrecognized arguments: --no-such-option" in run.stderr
    assert "failed: etl_bench" in run.stdout
