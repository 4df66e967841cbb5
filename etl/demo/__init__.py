"""Realistic, deterministic synthetic data: the demo's warehouse and the tests' fixtures.

The generator writes files in the project's templates (the same path real files take) and loads
them through etl.load. Everything is invented; e-mails are at example.org. Shapes follow the
programme: editions 2017-2018 to 2025-2026 with growth, a Tour de France from 2019, about 1 student
in 5 knowing the ESS precisely before the programme and clearly more after, 30-40 % attrition
between the waves, and a change that differs by school.

`generator` makes the programme's files, `forms` the same answers as each form tool exports
them, `warehouse` loads the demo (never over real data). This face hands on what the command
line, the benchmarks and the tests use.
"""

from etl.demo.forms import (
    FORM_EXPORTS, NATIONAL_EXPORT_RESPONSES, FormExport, write_form_exports,
    write_national_export)
from etl.demo.generator import (
    CURRENT_EDITION, EDITIONS, SCALES, Generator, demo_email, event_email, generate, write_files)
from etl.demo.warehouse import (
    DemoRefused, add_synthetic_schools, build, holds_demo_data, holds_real_data)

__all__ = [
    "CURRENT_EDITION", "EDITIONS", "FORM_EXPORTS", "NATIONAL_EXPORT_RESPONSES", "SCALES",
    "DemoRefused", "FormExport", "Generator", "add_synthetic_schools", "build", "demo_email",
    "event_email", "generate", "holds_demo_data", "holds_real_data", "write_files",
    "write_form_exports", "write_national_export",
]
