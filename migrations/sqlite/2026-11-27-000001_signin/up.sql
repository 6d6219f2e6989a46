-- Signed-in sessions of the dashboard. The cookie carries a random token; only its SHA-256
-- hash is stored, with the session's anti-forgery (CSRF) token for its forms.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- API tokens for scripts, created by an admin for a user; used as `Authorization: Bearer`.
-- Only the hash is stored; the token is shown once.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);

-- Which agencies a BRM owns: agencies.brm_owner_email names them.
CREATE INDEX agencies_brm_owner ON agencies (brm_owner_email);
