"""TLS on both ports, with a self-signed certificate, and the official client (gRPC and
REST) trusting it and sending an API key."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from google.api_core.client_options import ClientOptions
from google.cloud import speech_v1 as speech
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcTransport

from tests.conftest import clip
from tests.contract.conftest import Server, start_server
from tests.contract.test_access import create_key

GOOD = clip("ps_goforward").path.read_bytes()


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "parley test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="module")
def tls_server(
    tmp_path_factory: pytest.TempPathFactory, uploads: Path
) -> Iterator[tuple[Server, Path, str]]:
    data_dir = tmp_path_factory.mktemp("tls")
    cert, key = self_signed(data_dir)
    api_key = create_key(data_dir, "tls-user")
    server = start_server(
        data_dir,
        uploads,
        PARLEY_WORKERS="1",
        PARLEY_REQUIRE_KEYS="true",
        PARLEY_TLS_CERT=str(cert),
        PARLEY_TLS_KEY=str(key),
    )
    yield server, cert, api_key
    assert server.stop() == 0


def test_grpc_over_tls_with_the_official_client(tls_server: tuple[Server, Path, str]) -> None:
    server, cert, api_key = tls_server
    credentials = grpc.composite_channel_credentials(
        grpc.ssl_channel_credentials(cert.read_bytes()),
        grpc.access_token_call_credentials(api_key),
    )
    channel = grpc.secure_channel(server.grpc, credentials)
    client = speech.SpeechClient(transport=SpeechGrpcTransport(channel=channel))
    response = client.recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=GOOD),
    )
    assert "forward" in response.results[0].alternatives[0].transcript.lower()
    plain = grpc.insecure_channel(server.grpc)
    with pytest.raises(grpc.RpcError) as error:
        plain.unary_unary("/google.longrunning.Operations/ListOperations")(b"", timeout=10)
    assert error.value.code() is grpc.StatusCode.UNAVAILABLE  # no TLS handshake, no service


def test_rest_over_tls_with_the_official_client(
    tls_server: tuple[Server, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, cert, api_key = tls_server
    assert server.http.startswith("https://")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    client = speech.SpeechClient(
        transport="rest", client_options=ClientOptions(api_endpoint=server.http, api_key=api_key)
    )
    response = client.recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=GOOD),
    )
    assert "forward" in response.results[0].alternatives[0].transcript.lower()
    with pytest.raises((httpx.ConnectError, httpx.RemoteProtocolError)):  # plain HTTP: no
        httpx.get(server.http.replace("https://", "http://") + "/healthz", timeout=5)
