"""The voice of the customer: sentiment and themes of customer texts, and candidate themes
among the texts no theme explains."""
