"""Speech engines behind Protocols, their registry, model cache and worker processes."""
