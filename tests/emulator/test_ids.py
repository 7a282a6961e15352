"""Ids the local discue makes: nanoid-shaped from 2023-04 on, and never starting with '-', which a shell
user could not pass as an argument without a `--` before it (and which made tests flaky, 1 run in 64)."""

from discue_cli.emulator.store import SHORT_ID_ALPHABET, short_id


def test_short_ids_are_21_characters_of_the_nanoid_alphabet_never_led_by_a_dash():
    ids = [short_id() for _ in range(2000)]
    assert all(len(i) == 21 and set(i) <= set(SHORT_ID_ALPHABET) for i in ids)
    assert not [i for i in ids if i.startswith("-")]
    assert any("-" in i for i in ids)  # the dash stays in the alphabet, only not first
    assert len(set(ids)) == len(ids)


def test_short_ids_made_later_sort_after_earlier_ones(monkeypatch):
    """Time first: a table's index gets each new id next to the last one (one page written, not one
    per row), and ids made within one millisecond still differ in their 78 random bits."""
    import discue_cli.emulator.store as store

    clock = iter([1_764_000_000_000_000_000 + step * 1_000_000 for step in range(100)])
    monkeypatch.setattr(store.time, "time_ns", lambda: next(clock))
    ids = [short_id() for _ in range(100)]
    assert ids == sorted(ids)
    assert len({i[8:] for i in ids}) == 100


def test_an_id_that_starts_with_a_dash_goes_after_double_dash(local, monkeypatch):
    import discue_cli.emulator.generations as generations

    monkeypatch.setattr(generations, "short_id", lambda: "-" + "a" * 20)
    queue_id = local("queues", "create", "orders", "-q").stdout.strip()
    assert queue_id == "-" + "a" * 20
    result = local("queues", "get", "-q", "--", queue_id)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{queue_id}\n", "")
