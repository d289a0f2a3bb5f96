"""What a run reports: errors against the reference, the files and plots it writes, and the
report of a sweep."""
