"""Every recognition is kept: /v1/transcriptions lists, searches, fetches and deletes."""

from __future__ import annotations

import httpx
from google.cloud import speech_v1 as speech

from tests.conftest import assert_heard, clip
from tests.contract.conftest import Server


def test_recognitions_are_listed_fetched_and_deleted(
    server: Server, client: speech.SpeechClient
) -> None:
    data = clip("ps_librivox_0880").path.read_bytes()
    client.recognize(
        config=speech.RecognitionConfig(language_code="en-US", max_alternatives=2),
        audio=speech.RecognitionAudio(content=data),
    )
    newest = httpx.get(f"{server.http}/v1/transcriptions").json()["transcriptions"][0]
    assert_heard(newest["text"], clip("ps_librivox_0880").reference, max_wer=0.3)
    # Search is case-insensitive on the stored text, whatever words the model chose.
    word = max(newest["text"].split(), key=len).strip(".,;:!?")
    found = httpx.get(f"{server.http}/v1/transcriptions", params={"search": word.upper()}).json()
    assert newest["id"] in [t["id"] for t in found["transcriptions"]]
    assert newest["model"] == "whisper-base"
    assert newest["options"]["maxAlternatives"] == 2
    assert newest["inferenceSeconds"] > 0

    record = httpx.get(f"{server.http}/v1/transcriptions/{newest['id']}").json()
    assert record["transcript"]["segments"][0]["words"][0]["text"] == "he"
    audio = httpx.get(f"{server.http}/v1/transcriptions/{newest['id']}/audio")
    assert audio.content == data
    assert audio.headers["content-type"] == "audio/x-wav"

    assert httpx.delete(f"{server.http}/v1/transcriptions/{newest['id']}").status_code == 200
    gone = httpx.get(f"{server.http}/v1/transcriptions/{newest['id']}")
    assert gone.status_code == 404
    assert gone.json()["error"]["status"] == "NOT_FOUND"


def test_paging_newest_first(server: Server, client: speech.SpeechClient) -> None:
    for name in ("ps_cards_001", "ps_cards_003", "ps_cards_004"):
        client.recognize(
            config=speech.RecognitionConfig(language_code="en-US"),
            audio=speech.RecognitionAudio(content=clip(name).path.read_bytes()),
        )
    first = httpx.get(f"{server.http}/v1/transcriptions", params={"pageSize": 2}).json()
    second = httpx.get(
        f"{server.http}/v1/transcriptions",
        params={"pageSize": 2, "pageToken": first["nextPageToken"]},
    ).json()
    times = [t["createTime"] for t in first["transcriptions"] + second["transcriptions"]]
    assert times == sorted(times, reverse=True)
    assert first["totalSize"] >= 3
    assert (
        httpx.get(f"{server.http}/v1/transcriptions", params={"pageToken": "x"}).status_code == 400
    )


def test_each_record_names_the_api_it_came_through(
    server: Server, client: speech.SpeechClient, rest: speech.SpeechClient
) -> None:
    data = clip("ps_goforward").path.read_bytes()
    config = speech.RecognitionConfig(language_code="en-US")
    made = []
    for who in (client, rest):
        who.recognize(config=config, audio=speech.RecognitionAudio(content=data))
        made.append(httpx.get(f"{server.http}/v1/transcriptions").json()["transcriptions"][0])
    operation = rest.long_running_recognize(
        config=config, audio=speech.RecognitionAudio(content=data)
    )
    operation.result(timeout=120)
    made.append(httpx.get(f"{server.http}/v1/transcriptions").json()["transcriptions"][0])
    with httpx.Client(base_url=server.http) as http:
        files = {"file": ("go.wav", data, "audio/wav")}
        http.post("/v1/audio/transcriptions", data={"model": "whisper-1"}, files=files)
        made.append(http.get("/v1/transcriptions").json()["transcriptions"][0])
        http.post("/v1/audio/speech", json={"model": "tts-1", "input": "Hi.", "voice": "alloy"})
        spoken = http.get("/v1/syntheses").json()["syntheses"][0]
    assert [r["protocol"] for r in made] == ["google-grpc", "google-rest", "google-rest", "openai"]
    assert spoken["protocol"] == "openai"
