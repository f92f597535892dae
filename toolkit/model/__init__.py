"""The data model: covenants, vocabularies, units and their lineage, periods, period data, and the workspace that loads them."""
