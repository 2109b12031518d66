"""Fitting and statistics where SQL is the wrong tool: BG/NBD and Gamma-Gamma customer value, the
correlations of team measures with outcomes, and the special functions SQL scoring calls."""
