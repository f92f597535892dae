"""Synthetic sample data: the Bắc Ninh sample blocs and the national-scale benchmark data."""
