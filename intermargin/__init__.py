"""intermargin: the command line over the spec, the model and the proofs."""

__version__ = "0.1.0"
