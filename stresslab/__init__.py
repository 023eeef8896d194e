"""The stress lab: a vectorized risk engine equal to `model/risk.py`, and Monte Carlo
stress of the protocol built on it (issue "Stress lab").

Dependencies point one way: `spec` <- `model` <- `stresslab`; nothing in `model/`
imports this package.
"""
