"""The Excel round trip: the self-assessment workbook template and the ingest of returned workbooks."""
