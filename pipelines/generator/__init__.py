"""Demo-data generator: a landing folder of messy customer sources plus ground truth.

`generate(out, customers, seed, as_of)` is what `crm360 generate` and the
benchmarks call; see run.py for the stages and writers.py for the files.
"""

from .noise import NoiseRates
from .run import GENERATOR_VERSION, GenerateSummary, generate

__all__ = ["GENERATOR_VERSION", "GenerateSummary", "NoiseRates", "generate"]
