"""The typed boundary of intermargin: parameters, actions, messages, outcomes, observable state.

The Markdown chapters beside this package are the normative text; these pydantic
models are the machine-checkable part of it, and `spec/schema/*.json` is exported
from them for implementers in other languages.
"""
