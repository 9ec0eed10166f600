-- The site's tables. Run whenever a database file is older than
-- SCHEMA_VERSION (see core/db.py): every statement is safe to run again.
BEGIN IMMEDIATE;

CREATE TABLE IF NOT EXISTS user (
    id INTEGER PRIMARY KEY,
    nickname TEXT NOT NULL UNIQUE COLLATE NOCASE,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0)
);

CREATE TABLE IF NOT EXISTS follow (
    follower_id INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
    followed_id INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
    created_at REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
    PRIMARY KEY (follower_id, followed_id),
    CHECK (follower_id != followed_id)
);

CREATE INDEX IF NOT EXISTS follow_followed ON follow (followed_id);

-- The transactional outbox: a message is written in the same transaction as
-- the change it reports, and the background sender delivers it later.
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,  -- the Message-ID header, stable across retries
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    html TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    claimed_by TEXT,  -- the sending thread that holds it, while 'sending'
    claimed_until REAL,  -- after this, another sender may take it over
    sent_at REAL
);

CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);

PRAGMA user_version = 2;

COMMIT;
