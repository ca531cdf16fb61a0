"""Operations as `google.longrunning.Operation`, with Speech metadata and results packed in
`Any`, as Google's client unpacks them."""

from __future__ import annotations

from typing import Any

from google.cloud.speech_v1 import LongRunningRecognizeMetadata
from google.longrunning import operations_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import code_pb2, status_pb2

from parley.api.google.recognition import Presentation
from parley.api.google.results import long_running_response
from parley.services.operations import OperationView
from parley.store import OperationState

_ERROR_CODES = {
    "cancelled": code_pb2.CANCELLED,
    "invalid_argument": code_pb2.INVALID_ARGUMENT,
    "not_found": code_pb2.NOT_FOUND,
    "failed_precondition": code_pb2.FAILED_PRECONDITION,
}


def to_operation(view: OperationView) -> Any:
    operation = view.operation
    shown = Presentation(**view.presentation)
    metadata = LongRunningRecognizeMetadata.pb()(progress_percent=operation.progress, uri=shown.uri)
    metadata.start_time.CopyFrom(_timestamp(operation.started_at or operation.created_at))
    metadata.last_update_time.CopyFrom(_timestamp(operation.updated_at))
    out = operations_pb2.Operation(name=operation.name, done=operation.done)
    out.metadata.Pack(metadata)
    if operation.state is OperationState.SUCCEEDED and view.result and view.result.transcript:
        out.response.Pack(long_running_response(view.result.transcript, shown))
    elif operation.state in (OperationState.FAILED, OperationState.CANCELLED):
        code = _ERROR_CODES.get(operation.error_code or "", code_pb2.INTERNAL)
        out.error.CopyFrom(status_pb2.Status(code=code, message=operation.error_message or ""))
    return out


def _timestamp(moment: Any) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp
