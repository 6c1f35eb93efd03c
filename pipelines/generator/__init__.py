"""Demo-data generator: a landing folder of messy customer sources plus ground truth.

`generate(out, customers, seed, as_of, days=1)` is what `crm360 generate` and the
benchmarks call; see run.py for the stages, writers.py for the files and days.py for
daily deliveries (`apply_erp_delivery` moves the landing folder's ERP on by one day).
"""

from .days import DailyParams, apply_erp_delivery
from .noise import NoiseRates
from .run import GENERATOR_VERSION, GenerateSummary, generate

__all__ = ["GENERATOR_VERSION", "DailyParams", "GenerateSummary", "NoiseRates", "apply_erp_delivery", "generate"]
