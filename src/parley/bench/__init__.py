"""`parley bench`: accuracy, speed and memory, measured side by side and written to files."""
