"""Every shell and Python example in the README, run as written against a real server on
free ports (the only change: its ports, and ID in place of a record's id), so the README
cannot drift from the product."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import speech_v1 as speech

from tests.conftest import assert_heard
from tests.contract.conftest import Server, start_server, wait_until

pytestmark = pytest.mark.models

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(sh|python)\n(.*?)```", README, re.S)
# The two install commands are what CI runs on a fresh clone (the second is `.ci/run`);
# the scale-out section's commands need a database and a broker, which a laptop lacks.
INSTALLS = [code for lang, code in BLOCKS if lang == "sh" and "python3 -m venv" in code]
HELLO = "and you always want to see it in the superlative degree"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("readme"), ROOT / "examples")
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="module")
def shell_env(server: Server) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PARLEY_DATA_DIR": str(server.data_dir),
    }


def _on_free_ports(code: str, server: Server) -> str:
    http = server.http.removeprefix("http://")
    return (
        code.replace("127.0.0.1:50051", server.grpc)
        .replace("localhost:8080", http)
        .replace("127.0.0.1:8080", http)
        .replace("--http-port 8080", "--http-port 0")
        .replace("--grpc-port 50051", "--grpc-port 0")
    )


def _sh(line: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", line],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_install_commands_are_what_ci_runs() -> None:
    assert len(INSTALLS) == 2
    assert INSTALLS[0].strip().endswith(".venv/bin/parley serve")
    ci = (ROOT / ".ci" / "run").read_text()
    assert INSTALLS[1].strip() in ci


def test_the_python_client_example(server: Server) -> None:
    example = next(code for lang, code in BLOCKS if lang == "python" and "SpeechClient(" in code)
    namespace: dict[str, object] = {}
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        exec(compile(_on_free_ports(example, server), "README.md", "exec"), namespace)  # noqa: S102
    finally:
        os.chdir(cwd)
    response = namespace["response"]
    transcript = response.results[0].alternatives[0]  # type: ignore[attr-defined]
    assert_heard(transcript.transcript, HELLO)
    assert transcript.words  # enable_word_time_offsets=True


def test_the_speech_synthesis_examples(
    server: Server, shell_env: dict[str, str], tmp_path: Path
) -> None:
    example = next(
        code for lang, code in BLOCKS if lang == "python" and "TextToSpeechClient(" in code
    )
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        exec(compile(_on_free_ports(example, server), "README.md", "exec"), {})  # noqa: S102
    finally:
        os.chdir(cwd)
    curl = next(code for lang, code in BLOCKS if lang == "sh" and "text:synthesize" in code)
    done = _sh(_on_free_ports(curl, server), shell_env, tmp_path)
    assert done.returncode == 0, done.stderr
    for name, said in (
        ("hello-tts.mp3", "hello your code is a b 7"),
        ("morning.wav", "good morning"),
    ):
        assert_heard(_transcribed(server, tmp_path / name), said, max_wer=0.34)


def test_the_openai_example(server: Server, tmp_path: Path) -> None:
    example = next(code for lang, code in BLOCKS if lang == "python" and "OpenAI(" in code)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    namespace: dict[str, object] = {}
    try:
        exec(compile(_on_free_ports(example, server), "README.md", "exec"), namespace)  # noqa: S102
    finally:
        os.chdir(cwd)
    assert_heard(namespace["heard"].text, HELLO)  # type: ignore[attr-defined]
    assert_heard(_transcribed(server, tmp_path / "hello-openai.mp3"), "hello from parley", 0.34)


def test_the_wyoming_example(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    example = next(code for lang, code in BLOCKS if lang == "python" and "AsyncTcpClient(" in code)
    assert server.wyoming is not None
    host, port = server.wyoming.rsplit(":", 1)
    code = example.replace('"127.0.0.1", 10300', f'"{host}", {port}')
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        exec(compile(code, "README.md", "exec"), {})  # noqa: S102
    finally:
        os.chdir(cwd)
    assert_heard(capsys.readouterr().out, HELLO)


def _transcribed(server: Server, path: Path) -> str:
    response = server.grpc_client().recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=path.read_bytes()),
    )
    return " ".join(r.alternatives[0].transcript for r in response.results)


def test_the_key_example_is_valid_python() -> None:
    fragment = next(code for lang, code in BLOCKS if lang == "python" and "api_key=KEY" in code)
    compile(fragment, "README.md", "exec")  # needs a TLS host and a key: shown, not run


def test_the_curl_example(server: Server, shell_env: dict[str, str], tmp_path: Path) -> None:
    example = next(code for lang, code in BLOCKS if lang == "sh" and "curl" in code)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    done = _sh(_on_free_ports(example, server), shell_env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert HELLO.rsplit(maxsplit=1)[-1] in done.stdout.lower()
    assert '"results"' in done.stdout


def _cli_lines() -> list[str]:
    block = next(code for lang, code in BLOCKS if lang == "sh" and "parley transcribe" in code)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_every_command_line_example(
    server: Server, shell_env: dict[str, str], tmp_path: Path
) -> None:
    work = tmp_path / "clone"
    work.mkdir()
    for folder in ("examples", "src"):
        (work / folder).symlink_to(ROOT / folder)
    record_id = ""
    ran = 0
    for line in _cli_lines():
        command = _on_free_ports(line, server)
        if "parley serve" in command:
            _serves_then_stops(command, shell_env, work)
            ran += 1
            continue
        if " ID" in command:
            assert record_id, "a record must exist before ID is used"
            command = command.replace(" ID", f" {record_id[:8]}")
        done = _sh(command, shell_env, work)
        assert done.returncode == 0, (command, done.stderr)
        assert "Traceback" not in done.stderr
        ran += 1
        if command.startswith("parley history list"):
            record_id = done.stdout.split()[0]
    assert ran == len(_cli_lines())
    # What the lines wrote is what they say they write.
    assert_heard((work / "hello.srt").read_text().split("\n", 2)[2], HELLO)
    assert sorted(p.name for p in (work / "subs").iterdir()) == ["hello.vtt", "ps_goforward.vtt"]
    assert (work / "hello.mp3").stat().st_size > 1000
    assert (work / "received.wav").read_bytes()[:4] == b"RIFF"


def _serves_then_stops(command: str, env: dict[str, str], cwd: Path) -> None:
    log = cwd / "serve.log"
    with log.open("w") as out:
        # Its own process group: the shell may not exec the server, and SIGTERM to the
        # shell alone would leave the server running.
        process = subprocess.Popen(  # noqa: S602 - the README's own line
            command,
            shell=True,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: "parley: serving HTTP on" in log.read_text(), 120)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)
    assert "Traceback" not in log.read_text()
