"""The `parley` command as a user or a script runs it."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import pty
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from parley.engines.device import cuda_available
from tests.conftest import assert_heard, clip

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("cli-data")
    return {**os.environ, "PARLEY_DATA_DIR": str(data), "PARLEY_WORKERS": "2"}


def parley(
    env: dict[str, str], *args: str, stdin: Path | None = None
) -> subprocess.CompletedProcess[str]:
    with stdin.open("rb") if stdin else contextlib.nullcontext() as given:
        return subprocess.run(
            [sys.executable, "-m", "parley", *args],
            env=env,
            stdin=given if given else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def test_transcribe_json_has_text_segments_and_words(env: dict[str, str]) -> None:
    done = parley(env, "transcribe", str(clip("ps_goforward").path), "--format", "json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert_heard(out["text"], "go forward ten meters")
    assert out["file"].endswith("ps_goforward.wav")
    assert len(out["id"]) == 32
    words = out["segments"][0]["words"]
    assert " ".join(w["text"] for w in words) == out["segments"][0]["text"]
    assert all(w["start"] <= w["end"] for w in words)
    assert [w["start"] for w in words] == sorted(w["start"] for w in words)


def test_several_files_one_line_each_as_json(env: dict[str, str]) -> None:
    files = [str(clip(n).path) for n in ("ps_cards_001", "ps_cards_003")]
    done = parley(env, "transcribe", *files, "--format", "json", "--model", "tiny.en")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["model"] for line in lines] == ["whisper-tiny.en"] * 2


def test_srt_and_options(env: dict[str, str]) -> None:
    done = parley(
        env,
        "transcribe",
        str(clip("ps_cards_005").path),
        "--format",
        "srt",
        "--phrase",
        "clubs",
        "--boost",
        "10",
        "--no-punctuation",
        "--language",
        "en-US",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1\n00:00:00,")
    said = " ".join(done.stdout.split("\n")[2::4])
    assert_heard(said, clip("ps_cards_005").reference, max_wer=0.35)
    assert not set(said) & set(".,?!")


def test_headerless_input(env: dict[str, str], tmp_path: Path) -> None:
    raw = tmp_path / "go.raw"
    raw.write_bytes(clip("ps_goforward").path.read_bytes()[44:])
    done = parley(env, "transcribe", str(raw), "--encoding", "linear16", "--sample-rate", "16000")
    assert done.returncode == 0, done.stderr
    assert_heard(done.stdout, "go forward ten meters")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["transcribe", "missing.wav"], 3, "missing.wav: No such file or directory"),
        (["transcribe", __file__], 3, "not readable audio"),
        (["transcribe", "--model", "huge", "x.wav"], 3, "unknown model 'huge'"),
        (["transcribe", "--language", "xx-YY", "x.wav"], 3, "not supported by model"),
        (["transcribe", "--encoding", "mulaw", "x.wav"], 2, "needs --sample-rate"),
        (["say", "hello", "--voice", "nobody", "-o", "x.wav"], 3, "unknown voice 'nobody'"),
        (["history", "show", "f" * 32], 4, "no transcription or synthesis"),
        (["transcribe", "--alternatives", "99", "x.wav"], 2, "Invalid value"),
        (["--device", "gpu", "transcribe", "x.wav"], 2, "'gpu' is not one of"),
        (["transcribe", "x.wav", "x.wav", "--format", "srt"], 2, "need --output-dir"),
        (["say", "hi", "-o", "x.aiff"], 2, "no audio format is known by the suffix '.aiff'"),
        (["say", "hi", "-o", "/nonexistent/dir/y.wav"], 3, "/nonexistent/dir/y.wav: no such"),
        (["history", "show", "abc"], 4, "not a record id"),
        (["transcribe"], 2, "Missing argument"),
    ],
)
def test_errors_are_one_line_with_a_reliable_exit_code(
    env: dict[str, str], args: list[str], code: int, message: str
) -> None:
    done = parley(env, *args)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("parley: error: ")
    assert done.stderr.count("\n") == 1


def test_a_bad_file_among_good_ones(env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    done = parley(env, "transcribe", str(empty), str(clip("ps_cards_003").path))
    assert done.returncode == 3
    assert "empty.wav: the audio is empty" in done.stderr
    assert_heard(done.stdout.split("\n", 1)[1], clip("ps_cards_003").reference)


def test_wrong_declared_rate(env: dict[str, str]) -> None:
    done = parley(env, "transcribe", str(clip("ps_goforward").path), "--sample-rate", "8000")
    assert done.returncode == 3
    assert "does not match the 16000 Hz in the wav header" in done.stderr


def test_say_then_history(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "hello.mp3"
    done = parley(env, "say", "Hello from Parley.", "-o", str(out), "--rate", "1.2")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")
    listed = parley(env, "history", "list", "--syntheses")
    assert "Hello from Parley." in listed.stdout
    record_id = listed.stdout.split()[0][:6]  # a unique prefix will do
    shown = json.loads(parley(env, "history", "show", record_id).stdout)
    assert shown["kind"] == "synthesis"
    assert shown["options"]["format"] == "mp3"
    assert parley(env, "history", "delete", record_id).returncode == 0
    assert record_id not in parley(env, "history", "list", "--syntheses").stdout


def test_history_pages_and_exports_audio(env: dict[str, str], tmp_path: Path) -> None:
    for _ in range(2):
        parley(env, "transcribe", str(clip("ps_goforward").path))
    page = parley(env, "history", "list", "--limit", "1")
    assert len(page.stdout.splitlines()) == 1
    assert "next: --offset 1" in page.stderr
    record_id = page.stdout.split()[0]
    out = tmp_path / "back.wav"
    done = parley(env, "history", "audio", record_id[:8], "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == clip("ps_goforward").path.read_bytes()


def test_a_missing_output_folder_keeps_nothing(env: dict[str, str]) -> None:
    before = parley(env, "history", "list", "--syntheses").stderr
    done = parley(env, "say", "hi", "-o", "/nonexistent/dir/y.wav")
    assert done.returncode == 3
    assert parley(env, "history", "list", "--syntheses").stderr == before


def test_say_refuses_to_write_audio_to_a_terminal(env: dict[str, str]) -> None:
    main, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "parley", "say", "hi"],
            env=env,
            stdout=terminal,
            stderr=subprocess.PIPE,
            timeout=300,
            check=False,
        )
    finally:
        os.close(main)
        os.close(terminal)
    assert done.returncode == 2
    assert b"not written to a terminal" in done.stderr


def test_global_options_go_after_the_command_too(env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "elsewhere"
    done = parley(
        env, "transcribe", str(clip("ps_goforward").path), "--workers", "1", "--data-dir", str(data)
    )
    assert done.returncode == 0, done.stderr
    listed = parley(env, "history", "list", "--data-dir", str(data))
    assert "ps_goforward.wav" in listed.stdout
    assert len(listed.stdout.splitlines()) == 1


def test_a_setting_that_does_not_parse_is_one_line(env: dict[str, str]) -> None:
    done = parley({**env, "PARLEY_WORKERS": "abc"}, "models")
    assert done.returncode == 2
    assert done.stderr.startswith("parley: error: PARLEY_WORKERS=abc: ")
    assert done.stderr.count("\n") == 1


def test_cuda_without_a_gpu_is_one_line(env: dict[str, str]) -> None:
    done = parley(env, "transcribe", "--device", "cuda", str(clip("ps_goforward").path))
    if cuda_available():  # a GPU machine: the GPU is used
        assert done.returncode == 0, done.stderr
        return
    assert done.returncode == 2
    assert done.stderr.startswith("parley: error: device cuda: no usable CUDA GPU")
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize("held", ["--http-port", "--grpc-port"])
def test_serve_refuses_a_port_in_use(env: dict[str, str], held: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        ports = {"--http-port": "0", "--grpc-port": "0", held: port}
        done = parley(env, "serve", *itertools.chain.from_iterable(ports.items()))
    assert done.returncode == 2
    what = "HTTP" if held == "--http-port" else "gRPC"
    assert done.stderr == (
        f"parley: error: cannot listen for {what} on 127.0.0.1:{port}: "
        "Address already in use; choose another port\n"
    )
    assert "serving" not in done.stdout


def test_subtitles_of_several_files_and_stdin(env: dict[str, str], tmp_path: Path) -> None:
    files = [str(clip(n).path) for n in ("ps_goforward", "ps_cards_003")]
    done = parley(env, "transcribe", *files, "--format", "srt", "--output-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    for name in ("ps_goforward", "ps_cards_003"):
        assert (tmp_path / f"{name}.srt").read_text().startswith("1\n00:00:")
    piped = parley(env, "transcribe", "-", "--format", "srt", stdin=clip("ps_goforward").path)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith("1\n00:00:")  # nothing before the first cue
    assert_heard(piped.stdout.split("\n")[2], "go forward ten meters")


def test_one_way_of_writing_numbers(env: dict[str, str]) -> None:
    path = str(clip("ps_goforward").path)
    digits = parley(env, "transcribe", path, "--language", "en-US")
    words = parley(env, "transcribe", path, "--language", "en-US", "--numbers-as-words")
    assert_heard(digits.stdout, "go forward ten meters")
    assert_heard(words.stdout, "go forward ten meters")
    assert "ten" not in digits.stdout.lower().split()
    assert not any(c.isdigit() for c in words.stdout)


def test_say_from_stdin_to_stdout(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "parley", "say", "-f", "-", "--format", "wav"],
        env=env,
        input=b"Reading from a pipe.",
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout[:4] == b"RIFF"


def test_history_search_show_delete(env: dict[str, str]) -> None:
    heard = json.loads(
        parley(env, "transcribe", str(clip("ps_librivox_0870").path), "--format", "json").stdout
    )
    word = max(heard["text"].split(), key=len).strip(".,;:!?")
    listed = parley(env, "history", "list", "--search", word.upper())
    assert listed.returncode == 0
    record_id = listed.stdout.split()[0]
    assert record_id == heard["id"]
    shown = json.loads(parley(env, "history", "show", record_id).stdout)
    assert shown["transcript"]["text"] == heard["text"]
    assert shown["source_name"] == "ps_librivox_0870.wav"
    assert parley(env, "history", "delete", record_id).returncode == 0
    assert parley(env, "history", "show", record_id).returncode == 4


def test_models_lists_engines_voices_and_languages(env: dict[str, str]) -> None:
    done = parley(env, "models", "--json")
    listing = json.loads(done.stdout)
    names = [m["name"] for m in listing["models"]]
    assert names == ["whisper-base", "whisper-tiny.en", "moonshine-base", "accurate"]
    assert len(listing["models"][0]["languages"]) > 90
    assert listing["voices"][0]["name"] == "en_US-joe-medium"
    assert listing["voices"][0]["installed"]


def test_the_readme_sample(env: dict[str, str]) -> None:
    sample = Path(__file__).resolve().parents[2] / "examples" / "hello.wav"
    done = parley(env, "transcribe", str(sample))
    assert done.returncode == 0, done.stderr
    assert_heard(done.stdout, "and you always want to see it in the superlative degree")
