//! The diesel table definitions, shared by both backends. Written by hand to match
//! `migrations/sqlite` and `migrations/postgres` (portable column types only); the
//! `schema_matches_migrations` test checks every column against the live database.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        failed_signins -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agencies (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        line_of_business -> Nullable<Text>,
        annual_it_spend -> Nullable<Double>,
        brm_owner_email -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    services (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contacts (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        agency_id -> BigInt,
        segment -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    staff (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        team -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    instruments (id) {
        id -> BigInt,
        code -> Text,
        version -> Integer,
        name -> Text,
        source -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    items (id) {
        id -> BigInt,
        instrument_id -> BigInt,
        position -> Integer,
        code -> Text,
        dimension -> Text,
        scale -> Text,
        customer_wording -> Text,
        staff_wording -> Nullable<Text>,
        service_id -> Nullable<BigInt>,
        label -> Text,
        anchors -> Nullable<Text>,
    }
}

diesel::table! {
    waves (id) {
        id -> BigInt,
        code -> Text,
        instrument_id -> BigInt,
        opens_at -> Nullable<Timestamp>,
        closes_at -> Nullable<Timestamp>,
        is_baseline -> Bool,
        status -> Text,
        reminder_days -> Text,
        max_reminders -> Integer,
        message -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        wave_id -> BigInt,
        audience -> Text,
        contact_id -> Nullable<BigInt>,
        staff_id -> Nullable<BigInt>,
        token_hash -> Binary,
        state -> Text,
        draft -> Nullable<Binary>,
        reminders_sent -> Integer,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        last_reminded_at -> Nullable<Timestamp>,
        responded_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitation_links (id) {
        id -> BigInt,
        invitation_id -> BigInt,
        token_hash -> Binary,
        form_key -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    responses (id) {
        id -> BigInt,
        wave_id -> BigInt,
        audience -> Text,
        agency_id -> Nullable<BigInt>,
        segment -> Nullable<Text>,
        submitted_at -> Timestamp,
        answers -> Binary,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        response_id -> BigInt,
        item_id -> BigInt,
        body -> Text,
    }
}

diesel::table! {
    sla_metrics (id) {
        id -> BigInt,
        wave_id -> BigInt,
        service_id -> BigInt,
        agency_id -> Nullable<BigInt>,
        metric -> Text,
        target -> Double,
        actual -> Double,
        higher_is_better -> Bool,
        label -> Nullable<Text>,
    }
}

diesel::table! {
    follow_ups (id) {
        id -> BigInt,
        wave_id -> BigInt,
        agency_id -> Nullable<BigInt>,
        contact_name -> Text,
        contact_email -> Text,
        reason -> Text,
        urgent -> Bool,
        status -> Text,
        assigned_to -> Nullable<BigInt>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        kind -> Text,
        invitation_id -> Nullable<BigInt>,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        message_id -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Binary,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        token_hash -> Binary,
        user_id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(contacts -> agencies (agency_id));
diesel::joinable!(items -> instruments (instrument_id));
diesel::joinable!(items -> services (service_id));
diesel::joinable!(waves -> instruments (instrument_id));
diesel::joinable!(invitations -> waves (wave_id));
diesel::joinable!(invitations -> contacts (contact_id));
diesel::joinable!(invitations -> staff (staff_id));
diesel::joinable!(invitation_links -> invitations (invitation_id));
diesel::joinable!(responses -> waves (wave_id));
diesel::joinable!(responses -> agencies (agency_id));
diesel::joinable!(comments -> responses (response_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(comments -> items (item_id));
diesel::joinable!(sla_metrics -> waves (wave_id));
diesel::joinable!(sla_metrics -> services (service_id));
diesel::joinable!(sla_metrics -> agencies (agency_id));
diesel::joinable!(follow_ups -> waves (wave_id));
diesel::joinable!(follow_ups -> agencies (agency_id));
diesel::joinable!(follow_ups -> users (assigned_to));
diesel::joinable!(outbox -> invitations (invitation_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    agencies,
    services,
    contacts,
    staff,
    instruments,
    items,
    waves,
    invitations,
    invitation_links,
    responses,
    comments,
    sla_metrics,
    follow_ups,
    outbox,
    sessions,
    api_tokens,
);
