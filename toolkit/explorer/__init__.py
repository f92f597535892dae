"""The interactive ipywidgets explorer and its cached analyses."""
