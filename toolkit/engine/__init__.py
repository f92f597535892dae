"""The rules: pure functions from frames to frames (scoring, targets, ranking, nominations, comparison, scenarios). No file I/O."""
