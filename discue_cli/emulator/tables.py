"""The local discue's SQLite tables, and the columns added to databases made before them."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queues (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS listeners (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  queue_id TEXT NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  notify_url TEXT NOT NULL,
  liveness_url TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  live_state TEXT NOT NULL DEFAULT 'unknown',
  live_success_count INTEGER NOT NULL DEFAULT 0,
  live_last_success_at INTEGER,
  live_failure_count INTEGER NOT NULL DEFAULT 0,
  live_last_failure_status INTEGER,
  live_last_failure_at INTEGER,
  live_last_failure_msg TEXT
);
CREATE INDEX IF NOT EXISTS listeners_queue ON listeners(queue_id);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  queue_id TEXT NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
  name TEXT,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_queue ON messages(queue_id, seq);
CREATE TABLE IF NOT EXISTS deliveries (
  message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  listener_id TEXT NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_status INTEGER,
  last_attempt_at INTEGER,
  last_failure_at INTEGER,
  acked_at INTEGER,
  PRIMARY KEY (message_id, listener_id)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_attempt_at);
CREATE INDEX IF NOT EXISTS deliveries_listener ON deliveries(listener_id, state);
CREATE TABLE IF NOT EXISTS api_keys (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT,
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'enabled',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE TABLE IF NOT EXISTS api_clients (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  category TEXT NOT NULL,
  stored_at INTEGER NOT NULL,
  refs TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_time ON events(stored_at);
CREATE TABLE IF NOT EXISTS domains (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  hostname TEXT NOT NULL,
  port INTEGER NOT NULL,
  challenge TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
"""

# Columns added after the first release: (table, column, declaration). Existing databases get them on open.
UPGRADES = (
    ("queues", "schema", "TEXT"),
    ("listeners", "status", "TEXT NOT NULL DEFAULT 'enabled'"),
    ("api_keys", "scopes", "TEXT"),
)
