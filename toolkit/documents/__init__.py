"""Official documents of a bloc drafted from its results: báo cáo, biên bản, tờ trình and its list (Decree 30/2020)."""
from toolkit.documents.writer import Written, prepare, record_in_report, write_documents

__all__ = ["Written", "prepare", "record_in_report", "write_documents"]
