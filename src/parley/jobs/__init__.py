"""Durable long-running work: without a broker, a runner that claims jobs from the
database under a lease, keeps the lease alive, and records how each ended; with one, the
front end's part of jobs that Celery workers run (send, and send again what stalled)."""
