"""Publishing: the analyst copy and the report site, swapped in atomically."""
