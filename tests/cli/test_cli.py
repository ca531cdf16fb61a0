"""The `parley` command as a user or a script runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from parley.evaluation.wer import spoken_form
from tests.conftest import clip

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("cli-data")
    return {**os.environ, "PARLEY_DATA_DIR": str(data), "PARLEY_WORKERS": "2"}


def parley(
    env: dict[str, str], *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "parley", *args],
        env=env,
        input=stdin.decode() if stdin else None,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_transcribe_json_has_text_segments_and_words(env: dict[str, str]) -> None:
    done = parley(env, "transcribe", str(clip("ps_goforward").path), "--format", "json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["text"] == "Go forward 10 meters."
    assert out["file"].endswith("ps_goforward.wav")
    assert len(out["id"]) == 32
    assert [w["text"] for w in out["segments"][0]["words"]] == ["Go", "forward", "10", "meters."]


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
    assert "8 of spades 4 of clubs 7 of hearts" in done.stdout


def test_headerless_input(env: dict[str, str], tmp_path: Path) -> None:
    raw = tmp_path / "go.raw"
    raw.write_bytes(clip("ps_goforward").path.read_bytes()[44:])
    done = parley(env, "transcribe", str(raw), "--encoding", "linear16", "--sample-rate", "16000")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Go forward 10 meters."


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["transcribe", "missing.wav"], 3, "missing.wav: No such file or directory"),
        (["transcribe", __file__], 3, "not readable audio"),
        (["transcribe", "--model", "huge", "x.wav"], 3, "unknown model 'huge'"),
        (["transcribe", "--language", "xx-YY", "x.wav"], 3, "not supported by model"),
        (["transcribe", "--encoding", "mulaw", "x.wav"], 3, "needs --sample-rate"),
        (["say", "hello", "--voice", "nobody", "-o", "x.wav"], 3, "unknown voice 'nobody'"),
        (["history", "show", "f" * 32], 4, "no transcription or synthesis"),
        (["transcribe", "--alternatives", "99", "x.wav"], 2, "Invalid value"),
    ],
)
def test_errors_are_one_line_with_a_reliable_exit_code(
    env: dict[str, str], args: list[str], code: int, message: str
) -> None:
    done = parley(env, *args)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    if code != 2:
        assert done.stderr.startswith("parley: error: ")
        assert done.stderr.count("\n") == 1


def test_a_bad_file_among_good_ones(env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    done = parley(env, "transcribe", str(empty), str(clip("ps_cards_003").path))
    assert done.returncode == 3
    assert "empty.wav: the audio is empty" in done.stderr
    assert "seven of clubs" in spoken_form(done.stdout)


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
    record_id = listed.stdout.split()[0]
    shown = json.loads(parley(env, "history", "show", record_id).stdout)
    assert shown["kind"] == "synthesis"
    assert shown["options"]["format"] == "mp3"
    assert parley(env, "history", "delete", record_id).returncode == 0
    assert record_id not in parley(env, "history", "list", "--syntheses").stdout


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
    parley(env, "transcribe", str(clip("ps_librivox_0870").path))
    listed = parley(env, "history", "list", "--search", "dashwood")
    assert listed.returncode == 0
    record_id = listed.stdout.split()[0]
    shown = json.loads(parley(env, "history", "show", record_id).stdout)
    assert "Dashwood" in shown["transcript"]["text"]
    assert shown["source_name"] == "ps_librivox_0870.wav"
    assert parley(env, "history", "delete", record_id).returncode == 0
    assert parley(env, "history", "show", record_id).returncode == 4


def test_models_lists_engines_voices_and_languages(env: dict[str, str]) -> None:
    done = parley(env, "models", "--json")
    listing = json.loads(done.stdout)
    names = [m["name"] for m in listing["models"]]
    assert names == ["whisper-base", "whisper-tiny.en"]
    assert len(listing["models"][0]["languages"]) > 90
    assert listing["voices"][0]["name"] == "en_US-joe-medium"
    assert listing["voices"][0]["installed"]


def test_the_readme_sample(env: dict[str, str]) -> None:
    sample = Path(__file__).resolve().parents[2] / "examples" / "hello.wav"
    done = parley(env, "transcribe", str(sample))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "and you always want to see it in the superlative degree."
