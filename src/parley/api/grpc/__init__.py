"""gRPC transport (grpc.aio)."""
