-- Survey delivery. Every email that carries a survey link gets a fresh link token when it
-- is sent; only the token's SHA-256 hash is stored here, so a reminder can carry a working
-- link without any token being kept. Every link of an invitation works until the wave closes.
-- `form_key` is the random anti-forgery (CSRF) value the link's form must send back.
-- (invitations.token_hash predates this table: rind fills it with the hash of a random value
-- that is never sent, and looks links up here.)
CREATE TABLE invitation_links (
    id BIGSERIAL PRIMARY KEY,
    invitation_id BIGINT NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL UNIQUE,
    form_key BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invitation_links_invitation ON invitation_links (invitation_id);

-- The worker cancels an invitation's pending mail when its recipient answers or opts out.
CREATE INDEX outbox_invitation ON outbox (invitation_id);
