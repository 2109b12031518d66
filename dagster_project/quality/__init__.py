"""The quality gate: Great Expectations suites from the contracts, blocking checks."""
