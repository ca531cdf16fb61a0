"""The child process that decodes a live stream's container audio: container bytes in on
stdin as they arrive, decoded frames out on stdout. FFmpeg parses what a client sends; if
it crashes here, one stream ends, not the server.

Messages out: b"C" + u32 length + codec name; b"A" + u32 rate, u32 channels, u32 samples
+ float32 samples (channel after channel). Exit status 2 with the reason on stderr when
the stream cannot be read."""

from __future__ import annotations

import os
import struct
import sys
from typing import Any, BinaryIO

import av

from parley.audio.frames import frame_samples, packed_resampler
from parley.lifeline import exit_with_parent

_READ = 0  # stdin


class _Stdin:
    """What has arrived so far, not a full buffer: a stream's bytes come a little at a time."""

    def read(self, size: int = -1) -> bytes:
        return os.read(_READ, size if size > 0 else 65536)


def _send(out: BinaryIO, kind: bytes, header: bytes, body: bytes = b"") -> None:
    out.write(kind + header + body)
    out.flush()


def decode(demuxer: str, source: Any, out: BinaryIO) -> None:
    with av.open(source, "r", format=demuxer) as container:
        stream = container.streams.audio[0]
        codec = stream.codec_context.name.encode()
        _send(out, b"C", struct.pack("<I", len(codec)), codec)
        packed = packed_resampler()
        for frame in container.decode(stream):
            for converted in packed.resample(frame):
                samples = frame_samples(converted)
                header = struct.pack("<III", converted.sample_rate, *samples.shape)
                _send(out, b"A", header, samples.tobytes())


def main() -> int:
    exit_with_parent()
    try:
        decode(sys.argv[1], _Stdin(), sys.stdout.buffer)
    except (av.FFmpegError, ValueError, IndexError, EOFError) as error:
        sys.stderr.write(str(error) or type(error).__name__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
