"""Issue 17, finding 3: a compressed Reddit dump cut short stops the run naming the file, alike for every codec."""

import bz2
import gzip
import json
import lzma

import pytest

from analysis.errors import InputError
from analysis.ingest.reddit import read_reddit

zstandard = pytest.importorskip("zstandard", reason="the optional zstandard package reads .zst dumps")

N = 400
LINES = "".join(json.dumps({"id": f"c{i}", "link_id": "t3_a", "parent_id": "t3_a", "author": "x",
                            "body": f"comment number {i} " * 4, "created_utc": 1600000000 + i}) + "\n"
                for i in range(N)).encode()
CODECS = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def _zst_stream(data: bytes) -> bytes:
    """As the zstd tool writes a pipe: no content size in the frame header."""
    obj = zstandard.ZstdCompressor().compressobj()
    return obj.compress(data) + obj.flush()


@pytest.mark.parametrize("ext", sorted(CODECS))
def test_whole_file_is_read_whole(tmp_path, ext):
    p = tmp_path / f"dump.jsonl.{ext}"
    p.write_bytes(CODECS[ext](LINES))
    r = read_reddit([str(p)])
    assert len(r.records) == N and r.rejects.empty


@pytest.mark.parametrize("ext", sorted(CODECS) + ["zst-stream"])
def test_file_cut_in_half_stops_naming_it(tmp_path, ext):
    data = _zst_stream(LINES) if ext == "zst-stream" else CODECS[ext](LINES)
    p = tmp_path / f"dump.jsonl.{ext.split('-')[0]}"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=rf"dump\.jsonl\.{ext.split('-')[0]}.*ended before the end-of-stream"):
        read_reddit([str(p)])


def test_zst_of_several_frames_is_read_frame_after_frame(tmp_path):
    cut = LINES.index(b"\n", len(LINES) // 3) + 1
    c = zstandard.ZstdCompressor()
    p = tmp_path / "dump.jsonl.zst"
    p.write_bytes(c.compress(LINES[:cut]) + _zst_stream(LINES[cut:]))
    r = read_reddit([str(p)])
    assert list(r.records["comment_id"]) == [f"c{i}" for i in range(N)]
