"""KPIs where SQL is the wrong tool: model fitting and statistics."""
