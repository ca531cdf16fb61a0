"""Google Cloud Speech-to-Text v1 messages (from the google-cloud-speech package), shared by
the gRPC and REST transports."""
