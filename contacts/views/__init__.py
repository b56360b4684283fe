"""Directory views, split by concept: finding people, their records, and moving data in and out."""
