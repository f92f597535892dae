"""What a report shows: the analysis of a period, result tables, charts, exports, data quality, the province overview."""
