"""Durable long-running work: a runner that claims jobs from the database under a lease,
keeps the lease alive, and records how each ended."""
