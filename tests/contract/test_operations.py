"""LongRunningRecognize and google.longrunning.Operations with the official client."""

from __future__ import annotations

from pathlib import Path

import grpc
import httpx
import pytest
from google.api_core import exceptions
from google.cloud import speech_v1 as speech
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import duration_pb2

from parley.evaluation.wer import word_error_rate
from tests.conftest import assert_heard, clip
from tests.contract.conftest import LONG_FILE_WER, Server, long_file, wait_until

CONFIG = speech.RecognitionConfig(language_code="en-US", enable_automatic_punctuation=True)


def metadata(client: speech.SpeechClient, name: str) -> tuple[bool, int]:
    raw = client.transport.operations_client.get_operation(name)
    meta = speech.LongRunningRecognizeMetadata.deserialize(raw.metadata.value)
    return raw.done, meta.progress_percent


def test_polled_to_completion_with_rising_progress(
    client: speech.SpeechClient, uploads: Path
) -> None:
    uri, reference = long_file(uploads, 180)
    operation = client.long_running_recognize(config=CONFIG, audio=speech.RecognitionAudio(uri=uri))
    seen: list[int] = []

    def finished() -> bool:
        done, progress = metadata(client, operation.operation.name)
        seen.append(progress)
        return done

    wait_until(finished, 300, every=0.3)
    result = operation.result(timeout=10)
    hypothesis = " ".join(r.alternatives[0].transcript for r in result.results)
    assert word_error_rate([reference], [hypothesis]).wer <= LONG_FILE_WER
    assert seen == sorted(seen)
    assert seen[-1] == 100
    assert any(0 < p < 100 for p in seen), seen
    meta = operation.metadata
    assert meta.start_time <= meta.last_update_time
    assert result.total_billed_time.total_seconds() == 180


def test_rest_long_running(rest: speech.SpeechClient) -> None:
    operation = rest.long_running_recognize(
        config=CONFIG, audio=speech.RecognitionAudio(content=clip("ps_goforward").path.read_bytes())
    )
    result = operation.result(timeout=120)
    assert_heard(result.results[0].alternatives[0].transcript, "go forward ten meters")


def test_cancel_stops_the_work(client: speech.SpeechClient, uploads: Path) -> None:
    uri, _ = long_file(uploads, 600)
    operation = client.long_running_recognize(config=CONFIG, audio=speech.RecognitionAudio(uri=uri))
    name = operation.operation.name
    wait_until(lambda: metadata(client, name)[1] > 0, 120)
    operation.cancel()
    wait_until(lambda: metadata(client, name)[0], 60)
    raw = client.transport.operations_client.get_operation(name)
    assert raw.error.code == grpc.StatusCode.CANCELLED.value[0]
    stopped_at = metadata(client, name)[1]
    assert stopped_at < 100
    with pytest.raises(exceptions.Cancelled):
        operation.result(timeout=5)


def test_sync_requests_are_not_starved_by_a_long_job(
    client: speech.SpeechClient, uploads: Path
) -> None:
    uri, _ = long_file(uploads, 600)
    operation = client.long_running_recognize(config=CONFIG, audio=speech.RecognitionAudio(uri=uri))
    name = operation.operation.name
    wait_until(lambda: metadata(client, name)[1] > 0, 120)
    response = client.recognize(
        config=CONFIG, audio=speech.RecognitionAudio(content=clip("ps_goforward").path.read_bytes())
    )
    assert_heard(response.results[0].alternatives[0].transcript, "go forward ten meters")
    # Served while the job still had most of its work ahead of it.
    assert metadata(client, name)[1] < 100
    operation.cancel()


def test_list_filter_paging_wait_and_delete(server: Server, client: speech.SpeechClient) -> None:
    audio = speech.RecognitionAudio(content=clip("ps_cards_003").path.read_bytes())
    names = [
        client.long_running_recognize(config=CONFIG, audio=audio).operation.name for _ in range(3)
    ]
    stub = operations_pb2_grpc.OperationsStub(grpc.insecure_channel(server.grpc))
    for name in names:
        waited = stub.WaitOperation(
            operations_pb2.WaitOperationRequest(
                name=name, timeout=duration_pb2.Duration(seconds=120)
            )
        )
        assert waited.done
    first = stub.ListOperations(
        operations_pb2.ListOperationsRequest(filter="done=true", page_size=2)
    )
    assert len(first.operations) == 2
    assert first.next_page_token
    second = stub.ListOperations(
        operations_pb2.ListOperationsRequest(
            filter="done=true", page_size=2, page_token=first.next_page_token
        )
    )
    listed = [o.name for o in [*first.operations, *second.operations]]
    assert listed[:3] == names[::-1]  # newest first
    assert all(o.done for o in [*first.operations, *second.operations])
    rest_list = httpx.get(
        f"{server.http}/v1/operations", params={"filter": "done=true", "pageSize": 2}
    )
    assert [o["name"] for o in rest_list.json()["operations"]] == listed[:2]
    stub.DeleteOperation(operations_pb2.DeleteOperationRequest(name=names[0]))
    with pytest.raises(exceptions.NotFound):
        client.transport.operations_client.get_operation(names[0])
    assert httpx.get(f"{server.http}/v1/operations/{names[0]}").status_code == 404
    with pytest.raises(grpc.RpcError) as error:
        stub.ListOperations(operations_pb2.ListOperationsRequest(filter="state=DONE"))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_unknown_operation(client: speech.SpeechClient, rest: speech.SpeechClient) -> None:
    with pytest.raises(exceptions.NotFound):
        client.transport.operations_client.get_operation("123")
    with pytest.raises(exceptions.NotFound):
        rest.transport.operations_client.get_operation("123")
