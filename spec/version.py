"""The specification's version: the folder name of the test vectors (`v<SPEC_VERSION>`).

Bump it when a change to the normative text changes what a conforming build must do
(an outcome, an error code, an observable field): vectors of the old version then stay
valid for builds of the old version, and the new tree is generated beside them (CONF-11).
"""

SPEC_VERSION = "0.1.0"
