"""The API generations discue has had, and the default: declared here only (api/, emulator/ and commands/ import them).

Imports nothing, so `--help` and the emulator can use it for free."""

GENERATIONS = ("2022-05", "2023-04", "2024-08")
DEFAULT = "2023-04"  # the API as discue documents it today: what the local discue serves unless told otherwise
AUTO = "auto"  # the CLI's setting that learns each endpoint's generation from its replies
