"""Ids the local discue makes: nanoid-shaped from 2023-04 on, and never starting with '-', which a shell
user could not pass as an argument without a `--` before it (and which made tests flaky, 1 run in 64)."""

from discue_cli.emulator.store import SHORT_ID_ALPHABET, short_id


def test_short_ids_are_21_characters_of_the_nanoid_alphabet_never_led_by_a_dash():
    ids = [short_id() for _ in range(2000)]
    assert all(len(i) == 21 and set(i) <= set(SHORT_ID_ALPHABET) for i in ids)
    assert not [i for i in ids if i.startswith("-")]
    assert any("-" in i for i in ids)  # the dash stays in the alphabet, only not first


def test_an_id_that_starts_with_a_dash_goes_after_double_dash(local, monkeypatch):
    import discue_cli.emulator.generations as generations

    monkeypatch.setattr(generations, "short_id", lambda: "-" + "a" * 20)
    queue_id = local("queues", "create", "orders", "-q").stdout.strip()
    assert queue_id == "-" + "a" * 20
    result = local("queues", "get", "-q", "--", queue_id)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{queue_id}\n", "")
