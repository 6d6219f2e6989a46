-- rind's whole domain. Kept column-for-column identical to the PostgreSQL tree; only
-- the key and type spellings differ. Timestamps are naive UTC.

CREATE TABLE users (
    id INTEGER PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'cio', 'brm', 'viewer')),
    failed_signins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    line_of_business TEXT,
    annual_it_spend DOUBLE,
    brm_owner_email TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE services (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    segment TEXT,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX contacts_agency ON contacts (agency_id);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    team TEXT,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE instruments (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (code, version)
);

CREATE TABLE items (
    id INTEGER PRIMARY KEY NOT NULL,
    instrument_id BIGINT NOT NULL REFERENCES instruments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    dimension TEXT NOT NULL,
    scale TEXT NOT NULL,
    customer_wording TEXT NOT NULL,
    staff_wording TEXT,
    service_id BIGINT REFERENCES services (id),
    UNIQUE (instrument_id, code),
    UNIQUE (instrument_id, position)
);

CREATE TABLE waves (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    instrument_id BIGINT NOT NULL REFERENCES instruments (id),
    opens_at TIMESTAMP,
    closes_at TIMESTAMP,
    is_baseline BOOLEAN NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    reminder_days TEXT NOT NULL DEFAULT '',
    max_reminders INTEGER NOT NULL DEFAULT 2,
    message TEXT,
    created_at TIMESTAMP NOT NULL
);

-- One recipient in one wave. Only the hash of the link token is kept.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY NOT NULL,
    wave_id BIGINT NOT NULL REFERENCES waves (id),
    audience TEXT NOT NULL CHECK (audience IN ('customer', 'staff')),
    contact_id BIGINT REFERENCES contacts (id),
    staff_id BIGINT REFERENCES staff (id),
    token_hash BLOB NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sent', 'failed', 'bounced', 'responded', 'opted_out')),
    draft BLOB,
    reminders_sent INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    last_reminded_at TIMESTAMP,
    responded_at TIMESTAMP,
    expires_at TIMESTAMP,
    UNIQUE (wave_id, contact_id),
    UNIQUE (wave_id, staff_id),
    CHECK ((contact_id IS NULL) <> (staff_id IS NULL))
);

-- A response is deliberately not linked to its invitation. Its numeric answers are packed:
-- `answers` holds one byte per instrument item, in item position order, 255 = no answer
-- (see docs/ARCHITECTURE.md, "How answers are stored").
CREATE TABLE responses (
    id INTEGER PRIMARY KEY NOT NULL,
    wave_id BIGINT NOT NULL REFERENCES waves (id),
    audience TEXT NOT NULL CHECK (audience IN ('customer', 'staff')),
    agency_id BIGINT REFERENCES agencies (id),
    segment TEXT,
    submitted_at TIMESTAMP NOT NULL,
    answers BLOB NOT NULL
);
CREATE INDEX responses_wave_audience ON responses (wave_id, audience);

-- Free-text answers (start / stop / continue), one row per answered text item.
CREATE TABLE comments (
    id INTEGER PRIMARY KEY NOT NULL,
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    item_id BIGINT NOT NULL REFERENCES items (id),
    body TEXT NOT NULL
);
CREATE INDEX comments_response ON comments (response_id);

CREATE TABLE sla_metrics (
    id INTEGER PRIMARY KEY NOT NULL,
    wave_id BIGINT NOT NULL REFERENCES waves (id),
    service_id BIGINT NOT NULL REFERENCES services (id),
    agency_id BIGINT REFERENCES agencies (id),
    metric TEXT NOT NULL,
    target DOUBLE NOT NULL,
    actual DOUBLE NOT NULL,
    higher_is_better BOOLEAN NOT NULL
);
-- NULL agency means "all agencies"; COALESCE makes it one key, not a distinct NULL each time.
CREATE UNIQUE INDEX sla_metrics_key ON sla_metrics (wave_id, service_id, COALESCE(agency_id, 0), metric);

CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY NOT NULL,
    wave_id BIGINT NOT NULL REFERENCES waves (id),
    agency_id BIGINT REFERENCES agencies (id),
    contact_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    reason TEXT NOT NULL,
    urgent BOOLEAN NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'closed')),
    assigned_to BIGINT REFERENCES users (id),
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);

-- Mail waiting to go out, written in the same transaction as what caused it.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    invitation_id BIGINT REFERENCES invitations (id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
