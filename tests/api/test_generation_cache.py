"""The remembered generations: keyed without credentials, private, whole, and never a reason to fail."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from discue_cli.api.generations import Tracker, cache_key, read_cache, write_cache

WRITER = "import sys; from pathlib import Path; from discue_cli.api.generations import write_cache; " \
    "write_cache(Path(sys.argv[1]), sys.argv[2], '2023-04')"  # fmt: skip


def test_the_key_is_scheme_host_port_and_path_only(tmp_path):
    cache = tmp_path / "cache" / "generations.json"
    write_cache(cache, "http://alice:s3cret@Api.Example:8080/v1/?token=abc#frag", "2024-08")
    text = cache.read_text()
    assert "alice" not in text and "s3cret" not in text and "token" not in text and "abc" not in text
    assert json.loads(text) == {"http://api.example:8080/v1": "2024-08"}
    # the same server named another way finds what was remembered
    assert Tracker.start("auto", "http://bob:pw@api.example:8080/v1?x=1", cache).known == "2024-08"
    assert cache_key("https://h/v1") == cache_key("https://h:443/v1/") == "https://h/v1"
    assert cache_key("http://[::1]:9/v1") == "http://[::1]:9/v1"


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_the_file_is_private_in_a_private_folder(tmp_path):
    cache = tmp_path / "cache" / "generations.json"
    write_cache(cache, "http://h/v1", "2023-04")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in cache.parent.iterdir()) == ["generations.json", "generations.json.lock"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_cache_an_older_version_left_readable_is_made_private(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    (folder / "generations.json").write_text('{"http://alice:pw@h/v1": "2023-04"}')
    os.chmod(folder / "generations.json", 0o644)
    write_cache(folder / "generations.json", "http://h/v1", "2023-04")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "generations.json").stat().st_mode) == 0o600
    assert "alice" not in (folder / "generations.json").read_text()


def test_an_old_entry_keyed_with_credentials_is_dropped_at_the_next_write(tmp_path):
    cache = tmp_path / "generations.json"
    cache.write_text(json.dumps({"http://alice:pw@h/v1": "2023-04", "http://h/v1": "2022-05"}))
    assert read_cache(cache) == {"http://h/v1": "2022-05"}
    write_cache(cache, "http://other/v1", "2024-08")
    assert json.loads(cache.read_text()) == {"http://h/v1": "2022-05", "http://other/v1": "2024-08"}


def test_twenty_writers_at_once_keep_all_twenty_entries(tmp_path):
    cache = tmp_path / "cache" / "generations.json"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(cache), f"http://host-{n}.test/v1"]) for n in range(20)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0] * 20
    assert sorted(read_cache(cache)) == sorted(f"http://host-{n}.test/v1" for n in range(20))


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
        b"\xff\xfe garbage \x00",
        b'["http://h/v1", "2023-04"]',
        b'{"http://h/v1": 5, "http://g/v1": {"x": 1}, "http://f/v1": null}',
        b"",
    ],
    ids=["nested-lists", "nested-objects", "garbage", "a-list", "wrong-types", "empty"],
)
def test_unreadable_content_is_no_memory(tmp_path, content):
    cache = tmp_path / "generations.json"
    cache.write_bytes(content)
    assert read_cache(cache) == {}
    assert Tracker.start("auto", "http://h/v1", cache).known is None
    write_cache(cache, "http://h/v1", "2022-05")
    assert read_cache(cache) == {"http://h/v1": "2022-05"}


def test_a_deeply_nested_cache_does_not_stop_an_auto_command(cli, httpmock, isolated):
    from tests.stubs import expect

    (isolated / "cache").mkdir()
    (isolated / "cache" / "generations.json").write_text("[" * 200_000)
    expect(httpmock, "GET", "/queues", {"queues": [{"id": "q" * 21, "name": "orders"}]})
    result = cli("--api-endpoint", "http://api.test/v1", "--api-key", "k" * 20, "queues", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{'q' * 21}\torders\n", "")
