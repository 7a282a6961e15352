"""What a delete says on a terminal: what it is about to delete, then one line for what it deleted."""

from __future__ import annotations

import pytest

from tests.conftest import LISTENER_URLS

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_a_delete_with_yes_on_a_terminal_is_one_summary_line(local, tty):
    local("queues", "create", "orders")
    local("listeners", "add", "orders", "mailer", *LISTENER_URLS)
    result = local("listeners", "delete", "orders", "mailer", "--yes")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "Deleted 1 listener: mailer\n")
