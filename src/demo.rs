//! A seeded, realistic synthetic programme for `rind demo` and `rind serve --demo`.
//!
//! A state IT office serving 15 agencies of very different sizes, 8 catalogue services
//! with SLA figures, 600 agency contacts, 60 IT staff in teams, and three waves (a baseline
//! and two follow-ups). The answers are drawn from a model with the findings rind exists
//! to surface built in, so every view has something true to show:
//! - watermelons: the service desk and the finance/HR systems meet every SLA while agencies
//!   rate them poorly; a reverse watermelon: cybersecurity misses SLAs yet is rated highly;
//! - blind spots (staff over-estimate): communication, bill clarity, agency priorities,
//!   request status, the service desk; hidden strengths: security, competence, availability;
//! - three small agencies stay below the reporting threshold;
//! - movement: responsiveness improves wave on wave, communication jumps in the latest wave
//!   after a relationship-management push, value slides.

use std::collections::HashMap;
use std::fmt;

use chrono::{Duration, NaiveDateTime};
use diesel::Connection;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::db::DbConnection;
use crate::domain::{Audience, NO_ANSWER, Scale};
use crate::error::{AppError, Result};
use crate::store::agencies::{self, NewAgency};
use crate::store::contacts::{self, NewContact};
use crate::store::instruments::{self, Item};
use crate::store::invitations::{self, InvitationState, NewInvitation};
use crate::store::responses::{self, NewResponse};
use crate::store::services;
use crate::store::sla::{self, NewSlaMetric};
use crate::store::staff::{self, NewStaffMember};
use crate::store::waves::{self, NewWave};

/// The instrument the demo answers: the shipped default.
const INSTRUMENT: &str = "agency-cx";

/// What the demo created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub agencies: usize,
    pub contacts: usize,
    pub staff: usize,
    pub waves: usize,
    pub customer_responses: usize,
    pub staff_responses: usize,
    pub sla_metrics: usize,
    /// Sign-in accounts, all with [`DEMO_PASSWORD`].
    pub users: Vec<(String, &'static str)>,
}

/// The password of the demo's sign-in accounts. A demo database is for trying rind out;
/// never serve one with real data.
pub const DEMO_PASSWORD: &str = "rind-demo-password";

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "demo programme created: {} agencies, {} contacts, {} staff, {} waves, {} customer and {} staff responses, {} SLA figures",
            self.agencies,
            self.contacts,
            self.staff,
            self.waves,
            self.customer_responses,
            self.staff_responses,
            self.sla_metrics
        )?;
        for (email, role) in &self.users {
            write!(
                f,
                "\n  sign in as {email} ({role}), password {DEMO_PASSWORD}"
            )?;
        }
        Ok(())
    }
}

/// A contact's id and segment.
type Person = (i64, Option<String>);

struct DemoAgency {
    code: &'static str,
    name: &'static str,
    line_of_business: &'static str,
    contacts: usize,
    /// Share of invited contacts who answer.
    engagement: f64,
    /// How this agency's people feel about IT, on the 1..5 scale, around the average.
    mood: f64,
    brm: &'static str,
}

#[rustfmt::skip]
const AGENCIES: &[DemoAgency] = &[
    DemoAgency { code: "DHHS", name: "Department of Health and Human Services", line_of_business: "Health and human services", contacts: 110, engagement: 0.52, mood: -0.15, brm: "maria.lopez" },
    DemoAgency { code: "DOT", name: "Department of Transportation", line_of_business: "Transportation", contacts: 90, engagement: 0.58, mood: 0.10, brm: "james.okafor" },
    DemoAgency { code: "DPS", name: "Department of Public Safety", line_of_business: "Public safety", contacts: 70, engagement: 0.47, mood: -0.35, brm: "james.okafor" },
    DemoAgency { code: "DOR", name: "Department of Revenue", line_of_business: "Revenue and taxation", contacts: 60, engagement: 0.66, mood: 0.25, brm: "maria.lopez" },
    DemoAgency { code: "EDU", name: "Department of Education", line_of_business: "Education", contacts: 55, engagement: 0.44, mood: 0.00, brm: "priya.raman" },
    DemoAgency { code: "DOC", name: "Department of Corrections", line_of_business: "Corrections", contacts: 50, engagement: 0.41, mood: -0.25, brm: "priya.raman" },
    DemoAgency { code: "DNR", name: "Department of Natural Resources", line_of_business: "Natural resources", contacts: 40, engagement: 0.60, mood: 0.30, brm: "tom.lindqvist" },
    DemoAgency { code: "DOL", name: "Department of Labor and Workforce", line_of_business: "Labor and workforce", contacts: 35, engagement: 0.55, mood: -0.05, brm: "tom.lindqvist" },
    DemoAgency { code: "SOS", name: "Office of the Secretary of State", line_of_business: "Elections and public records", contacts: 25, engagement: 0.64, mood: 0.15, brm: "maria.lopez" },
    DemoAgency { code: "OAG", name: "Office of the Attorney General", line_of_business: "Legal services", contacts: 20, engagement: 0.50, mood: -0.10, brm: "james.okafor" },
    DemoAgency { code: "DMV", name: "Division of Motor Vehicles", line_of_business: "Motor vehicles and licensing", contacts: 20, engagement: 0.60, mood: -0.40, brm: "priya.raman" },
    DemoAgency { code: "TRS", name: "Teachers' Retirement System", line_of_business: "Retirement and pensions", contacts: 10, engagement: 0.70, mood: 0.35, brm: "tom.lindqvist" },
    DemoAgency { code: "ARTS", name: "State Arts Council", line_of_business: "Culture", contacts: 6, engagement: 0.50, mood: 0.20, brm: "tom.lindqvist" },
    DemoAgency { code: "LOT", name: "State Lottery Commission", line_of_business: "Gaming", contacts: 5, engagement: 0.55, mood: 0.00, brm: "priya.raman" },
    DemoAgency { code: "VET", name: "Veterans Affairs Commission", line_of_business: "Veterans services", contacts: 4, engagement: 0.60, mood: 0.10, brm: "maria.lopez" },
];

/// Staff teams and their head counts (60 in all).
const TEAMS: &[(&str, usize)] = &[
    ("service_desk", 15),
    ("infrastructure", 12),
    ("applications", 12),
    ("security", 8),
    ("relationship_management", 6),
    ("architecture", 7),
];

const FIRST_NAMES: &[&str] = &[
    "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn",
    "Dana", "Lee", "Robin", "Chris", "Pat", "Kim", "Maria", "Ahmed", "Wei", "Olga", "Kofi", "Ana",
    "Ravi", "Sofia", "Ethan", "Grace", "Noah", "Leila", "Mateo", "Hannah",
];
const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Garcia", "Nguyen", "Brown", "Davis", "Martinez", "Wilson", "Anderson",
    "Thomas", "Patel", "Kim", "Lopez", "Clark", "Lewis", "Walker", "Young", "Hall", "Allen",
    "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell",
    "Roberts", "Carter",
];

/// Customer mean of each dimension's items at the baseline, before agency mood.
fn dimension_base(dimension: &str) -> f64 {
    match dimension {
        "reliability" => 3.6,
        "responsiveness" => 3.1,
        "assurance" => 3.8,
        "empathy" => 3.1,
        "communication" => 2.9,
        "value" => 2.8,
        _ => 3.3,
    }
}

/// How a dimension moves from the baseline, per wave index (0 = baseline).
fn dimension_change(dimension: &str, wave: usize) -> f64 {
    let w = wave as f64;
    match dimension {
        "responsiveness" => 0.25 * w,
        "communication" if wave == 2 => 0.45,
        "value" => -0.2 * w,
        _ => 0.0,
    }
}

/// Staff's prediction minus the customers' mean: positive is a blind spot.
fn staff_bias(item: &str) -> f64 {
    match item {
        "com_plain_language" | "com_change_notice" | "com_listens" => 0.95,
        "val_bill_clarity" => 1.1,
        "val_worth" => 0.6,
        "emp_priorities" => 0.85,
        "resp_status" => 0.8,
        "svc_service_desk" => 1.4,
        "svc_erp" => 1.0,
        "asr_security" => -0.7,
        "asr_competence" => -0.6,
        "rel_availability" => -0.55,
        "svc_security" => -0.6,
        "overall_satisfaction" => 0.5,
        _ => 0.1,
    }
}

/// Customer mean satisfaction with each service.
fn service_mean(service: &str) -> f64 {
    match service {
        "service_desk" => 2.55,
        "erp" => 2.45,
        "security" => 4.45,
        "email" => 4.0,
        "identity" => 3.9,
        "hosting" => 3.7,
        "network" => 3.3,
        _ => 3.4,
    }
}

/// Stated importance of each dimension: customers, then what staff think customers say.
fn importance(dimension: &str) -> (f64, f64) {
    match dimension {
        "reliability" => (4.6, 4.5),
        "responsiveness" => (4.3, 3.7),
        "assurance" => (4.2, 4.6),
        "empathy" => (3.7, 3.1),
        "communication" => (4.1, 3.2),
        "value" => (4.4, 3.5),
        _ => (4.0, 4.0),
    }
}

/// SLA metrics per service: (metric, target, actual at baseline, higher is better).
/// Watermelons (service desk, finance/HR systems) meet every target; security misses.
#[rustfmt::skip]
fn sla_metrics_of(service: &str) -> &'static [(&'static str, f64, f64, bool)] {
    match service {
        "service_desk" => &[("first_contact_resolution_pct", 70.0, 76.5, true), ("calls_answered_60s_pct", 85.0, 91.2, true), ("tickets_closed_in_target_pct", 90.0, 95.8, true)],
        "erp" => &[("availability_pct", 99.5, 99.93, true), ("batch_jobs_on_time_pct", 98.0, 99.1, true)],
        "security" => &[("critical_patches_30d_pct", 95.0, 86.0, true), ("incident_triage_hours", 1.0, 1.7, false)],
        "email" => &[("availability_pct", 99.9, 99.97, true), ("mean_time_to_restore_hours", 4.0, 2.1, false)],
        "network" => &[("availability_pct", 99.9, 99.71, true), ("circuit_orders_on_time_pct", 90.0, 78.0, true), ("mean_time_to_restore_hours", 4.0, 5.6, false)],
        "hosting" => &[("availability_pct", 99.95, 99.97, true), ("provisioning_days", 10.0, 12.5, false)],
        "identity" => &[("availability_pct", 99.9, 99.95, true), ("access_requests_2d_pct", 90.0, 93.0, true)],
        _ => &[("device_delivery_10d_pct", 90.0, 84.0, true), ("repair_turnaround_days", 3.0, 2.6, false)],
    }
}

const COMMENTS_START: &[&str] = &[
    "Tell us about outages before our callers do.",
    "Give each agency one named contact who knows our systems.",
    "Publish a simple breakdown of what we are billed for.",
    "Involve us earlier when you plan changes that touch our applications.",
    "Send a short monthly summary of our open tickets.",
    "Offer training on the new collaboration tools.",
    "Share a roadmap for the finance and payroll upgrade.",
];
const COMMENTS_STOP: &[&str] = &[
    "Closing tickets before the problem is actually fixed.",
    "Changing the chargeback model mid-year.",
    "Sending us to three different teams for one request.",
    "Scheduling maintenance during our peak filing weeks.",
    "Using acronyms in outage notices that nobody here understands.",
];
const COMMENTS_CONTINUE: &[&str] = &[
    "The security team's phishing training is excellent.",
    "Field technicians are courteous and knowledgeable.",
    "Email has been rock solid this year.",
    "The quarterly business reviews with our relationship manager.",
    "Quick turnaround on new accounts for seasonal staff.",
];

/// Standard normal draw (Box-Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A latent score rounded onto a scale.
fn on_scale(latent: f64, scale: Scale) -> u8 {
    let (lo, hi) = scale.range().unwrap_or((1, 5));
    latent.round().clamp(f64::from(lo), f64::from(hi)) as u8
}

/// Fills an empty database with the demo programme; `None` if it already holds agencies
/// or waves. Expects the default instrument (see `programme::first_start`).
pub fn seed_if_empty(conn: &mut DbConnection, seed: u64) -> Result<Option<DemoSummary>> {
    seed_scaled_if_empty(conn, seed, 1)
}

/// The demo programme with `scale` times the contacts of every agency and the staff of
/// every team (so `scale` times the invitations and, roughly, the responses of each wave):
/// 1 is the demo itself; the benchmarks use larger programmes (about 900 responses per
/// unit of scale over the three waves).
pub fn seed_scaled_if_empty(
    conn: &mut DbConnection,
    seed: u64,
    scale: usize,
) -> Result<Option<DemoSummary>> {
    if agencies::count(conn)? > 0 || !waves::list(conn)?.is_empty() {
        return Ok(None);
    }
    let now = crate::store::now();
    let scale = scale.max(1);
    conn.transaction::<_, AppError, _>(|conn| build(conn, seed, now, scale))
        .map(Some)
}

fn build(
    conn: &mut DbConnection,
    seed: u64,
    now: NaiveDateTime,
    scale: usize,
) -> Result<DemoSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let instrument = instruments::latest(conn, INSTRUMENT)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "instrument {INSTRUMENT} (the demo answers the default instrument)"
        ))
    })?;
    let items = instruments::items(conn, instrument.id)?;
    let service_codes: HashMap<i64, String> = services::list(conn)?
        .into_iter()
        .map(|s| (s.id, s.code))
        .collect();

    // Agencies and their contacts.
    let mut contacts_by_agency: Vec<(i64, Vec<Person>)> = Vec::new();
    let mut n_contacts = 0;
    for (a, agency) in AGENCIES.iter().enumerate() {
        agencies::upsert(
            conn,
            &NewAgency {
                code: agency.code.into(),
                name: agency.name.into(),
                line_of_business: Some(Some(agency.line_of_business.into())),
                // Spend roughly follows size, in dollars a year.
                annual_it_spend: Some(Some(
                    (agency.contacts as f64 * 410_000.0 * (0.8 + 0.4 * rng.random::<f64>()))
                        .round(),
                )),
                brm_owner_email: Some(Some(format!("{}@cio.state.example", agency.brm))),
            },
        )?;
        let ids = agencies::ids_by_code(conn)?;
        let agency_id = *ids
            .get(agency.code)
            .ok_or_else(|| AppError::Internal("demo agency vanished".into()))?;
        let mut people = Vec::with_capacity(agency.contacts * scale);
        for i in 0..agency.contacts * scale {
            let segment = match i % 10 {
                0 => "executive",
                1 | 2 => "it_liaison",
                _ => "end_user",
            };
            let first = FIRST_NAMES[(i * 7 + a * 3) % FIRST_NAMES.len()];
            let last = LAST_NAMES[(i * 11 + a * 5) % LAST_NAMES.len()];
            let email = format!(
                "{}.{}{}@{}.state.example",
                first.to_lowercase(),
                last.to_lowercase(),
                i,
                agency.code.to_lowercase()
            );
            let id = contacts::save(
                conn,
                &NewContact {
                    email,
                    name: format!("{first} {last}"),
                    agency_id,
                    segment: Some(Some(segment.into())),
                },
                None,
            )?;
            people.push((id, Some(segment.to_string())));
            n_contacts += 1;
        }
        contacts_by_agency.push((agency_id, people));
    }

    // IT staff in teams.
    let mut staff_members: Vec<(i64, String)> = Vec::new();
    for (t, (team, count)) in TEAMS.iter().enumerate() {
        for i in 0..*count * scale {
            let first = FIRST_NAMES[(i * 5 + t * 7 + 3) % FIRST_NAMES.len()];
            let last = LAST_NAMES[(i * 13 + t * 3 + 1) % LAST_NAMES.len()];
            let id = staff::save(
                conn,
                &NewStaffMember {
                    email: format!(
                        "{}.{}.{}{}@cio.state.example",
                        first.to_lowercase(),
                        last.to_lowercase(),
                        &team[..3],
                        i
                    ),
                    name: format!("{first} {last}"),
                    team: Some(Some((*team).into())),
                },
                None,
            )?;
            staff_members.push((id, (*team).to_string()));
        }
    }

    // Which services each agency uses: the enterprise basics, plus most of the rest.
    let uses: Vec<Vec<bool>> = AGENCIES
        .iter()
        .map(|_| {
            items
                .iter()
                .map(|item| {
                    match item
                        .service_id
                        .and_then(|id| service_codes.get(&id))
                        .map(String::as_str)
                    {
                        Some("email" | "service_desk" | "devices" | "identity" | "erp") | None => {
                            true
                        }
                        Some(_) => rng.random_bool(0.75),
                    }
                })
                .collect()
        })
        .collect();

    // Three waves: a closed baseline a year ago, a closed follow-up six months ago, and
    // the current wave, open for ten days with twenty to go.
    let plan = [
        ("FY26-Q1", -365, -337, true, "closed", 1.0),
        ("FY26-Q3", -183, -155, false, "closed", 1.0),
        ("FY27-Q1", -10, 20, false, "open", 0.62),
    ];
    let mut summary = DemoSummary {
        agencies: AGENCIES.len(),
        contacts: n_contacts,
        staff: staff_members.len(),
        waves: plan.len(),
        customer_responses: 0,
        staff_responses: 0,
        sla_metrics: 0,
        users: Vec::new(),
    };
    for (w, (code, opens, closes, baseline, status, progress)) in plan.into_iter().enumerate() {
        let opens_at = now + Duration::days(opens);
        let closes_at = now + Duration::days(closes);
        let wave = waves::create(
            conn,
            &NewWave {
                code: code.into(),
                instrument_id: instrument.id,
                opens_at: Some(opens_at),
                closes_at: Some(closes_at),
                is_baseline: baseline,
                status,
            },
        )?;
        let answered_until = closes_at.min(now);
        let window = (answered_until - opens_at).num_seconds().max(1);
        let when = |rng: &mut ChaCha8Rng| {
            // Most answers come in the first days after the invitation and each reminder.
            let share: f64 = rng.random::<f64>().powf(1.8);
            opens_at + Duration::seconds((share * window as f64) as i64)
        };

        let mut invites = Vec::new();
        let mut answers = Vec::new();
        for (a, (agency_id, people)) in contacts_by_agency.iter().enumerate() {
            let agency = &AGENCIES[a];
            for (contact_id, segment) in people {
                let bounced = rng.random_bool(0.02);
                let responds =
                    !bounced && rng.random_bool((agency.engagement * progress).min(0.95));
                let submitted_at = responds.then(|| when(&mut rng));
                invites.push(invitation(
                    &mut rng,
                    wave.id,
                    Audience::Customer,
                    Some(*contact_id),
                    None,
                    opens_at,
                    closes_at,
                    bounced,
                    submitted_at,
                ));
                if let Some(at) = submitted_at {
                    let packed = customer_answers(
                        &mut rng,
                        &items,
                        &service_codes,
                        &uses[a],
                        agency.mood,
                        w,
                    );
                    let comments = comments_of(&mut rng, &items);
                    answers.push(NewResponse {
                        audience: Audience::Customer,
                        agency_id: Some(*agency_id),
                        segment: segment.clone(),
                        submitted_at: at,
                        answers: packed,
                        comments,
                    });
                    summary.customer_responses += 1;
                }
            }
        }
        for (staff_id, team) in &staff_members {
            let responds = rng.random_bool(0.72 * progress);
            let submitted_at = responds.then(|| when(&mut rng));
            invites.push(invitation(
                &mut rng,
                wave.id,
                Audience::Staff,
                None,
                Some(*staff_id),
                opens_at,
                closes_at,
                false,
                submitted_at,
            ));
            if let Some(at) = submitted_at {
                answers.push(NewResponse {
                    audience: Audience::Staff,
                    agency_id: None,
                    segment: Some(team.clone()),
                    submitted_at: at,
                    answers: staff_answers(&mut rng, &items, &service_codes, team, w),
                    comments: Vec::new(),
                });
                summary.staff_responses += 1;
            }
        }
        invitations::insert_many(conn, &invites)?;
        responses::insert(conn, wave.id, &answers)?;

        // SLA figures: programme-wide per service, plus per-agency cells for the network,
        // where the largest agencies see their own circuits.
        for (service_id, service) in &service_codes {
            for (metric, target, actual, higher_is_better) in sla_metrics_of(service) {
                // Figures drift a little between waves without changing met / missed.
                let drift = 1.0 + 0.002 * normal(&mut rng);
                sla::save(
                    conn,
                    &NewSlaMetric {
                        wave_id: wave.id,
                        service_id: *service_id,
                        agency_id: None,
                        metric: (*metric).into(),
                        target: *target,
                        actual: ((actual * drift) * 100.0).round() / 100.0,
                        higher_is_better: *higher_is_better,
                        label: None,
                    },
                )?;
                summary.sla_metrics += 1;
            }
            if service == "network" {
                for (agency_id, _) in contacts_by_agency.iter().take(4) {
                    let actual = 99.6 + 0.35 * rng.random::<f64>();
                    sla::save(
                        conn,
                        &NewSlaMetric {
                            wave_id: wave.id,
                            service_id: *service_id,
                            agency_id: Some(*agency_id),
                            metric: "availability_pct".into(),
                            target: 99.9,
                            actual: (actual * 100.0).round() / 100.0,
                            higher_is_better: true,
                            label: None,
                        },
                    )?;
                    summary.sla_metrics += 1;
                }
            }
        }
    }
    // Sign-in accounts: one per role; the BRM owns the agencies of "maria.lopez".
    for (name, role) in [
        ("admin", "admin"),
        ("cio", "cio"),
        ("maria.lopez", "brm"),
        ("viewer", "viewer"),
    ] {
        let email = format!("{name}@cio.state.example");
        crate::auth::add_user(conn, &email, role, DEMO_PASSWORD)?;
        summary.users.push((email, role));
    }
    Ok(summary)
}

#[expect(clippy::too_many_arguments, reason = "one invitation row, spelled out")]
fn invitation(
    rng: &mut ChaCha8Rng,
    wave_id: i64,
    audience: Audience,
    contact_id: Option<i64>,
    staff_id: Option<i64>,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    bounced: bool,
    responded_at: Option<NaiveDateTime>,
) -> NewInvitation {
    // Demo invitations carry a random hash of no real token: no demo link can be opened.
    let mut token_hash = vec![0u8; 32];
    rng.fill(&mut token_hash[..]);
    let state = match (bounced, responded_at) {
        (true, _) => InvitationState::Bounced,
        (false, Some(_)) => InvitationState::Responded,
        (false, None) => InvitationState::Sent,
    };
    NewInvitation {
        wave_id,
        audience,
        contact_id,
        staff_id,
        token_hash,
        state,
        created_at: opens_at,
        sent_at: Some(opens_at),
        responded_at,
        expires_at: Some(closes_at),
    }
}

fn customer_answers(
    rng: &mut ChaCha8Rng,
    items: &[Item],
    service_codes: &HashMap<i64, String>,
    uses: &[bool],
    mood: f64,
    wave: usize,
) -> Vec<u8> {
    // A respondent's general disposition, shared by all their answers.
    let person = mood + 0.45 * normal(rng);
    let mut packed = vec![NO_ANSWER; items.len()];
    let mut rated = Vec::new();
    for item in items {
        // About one answer in twenty-five is skipped.
        if rng.random_bool(0.04) && item.scale != Scale::YesNo {
            continue;
        }
        let service = item.service_id.and_then(|id| service_codes.get(&id));
        let value = match item.scale {
            Scale::Likert5 => {
                if !uses[item.position] {
                    continue; // N/A: the agency does not use this service
                }
                let mean = match service {
                    Some(s) => service_mean(s) + 0.5 * person,
                    None => {
                        dimension_base(&item.dimension)
                            + dimension_change(&item.dimension, wave)
                            + person
                    }
                };
                let spread = if service.is_some_and(|s| s == "security") {
                    0.45
                } else {
                    0.8
                };
                let v = on_scale(mean + spread * normal(rng), Scale::Likert5);
                if service.is_none() && item.dimension != "overall" {
                    rated.push(f64::from(v));
                }
                v
            }
            Scale::Importance5 => on_scale(
                importance(&item.dimension).0 + 0.7 * normal(rng),
                item.scale,
            ),
            _ => NO_ANSWER,
        };
        packed[item.position] = value;
    }
    // Overall, recommendation and effort follow the respondent's ratings.
    let experience = if rated.is_empty() {
        3.2
    } else {
        rated.iter().sum::<f64>() / rated.len() as f64
    };
    for item in items {
        packed[item.position] = match (item.scale, item.code.as_str()) {
            (Scale::Likert5, "overall_satisfaction") => {
                on_scale(experience + 0.1 + 0.6 * normal(rng), item.scale)
            }
            (Scale::Nps11, _) => on_scale(2.1 * experience - 0.6 + 1.3 * normal(rng), item.scale),
            (Scale::Ces7, _) => on_scale(1.5 * experience - 0.6 + 0.9 * normal(rng), item.scale),
            (Scale::YesNo, _) => u8::from(rng.random_bool(0.2)),
            _ => continue,
        };
    }
    packed
}

fn staff_answers(
    rng: &mut ChaCha8Rng,
    items: &[Item],
    service_codes: &HashMap<i64, String>,
    team: &str,
    wave: usize,
) -> Vec<u8> {
    // Relationship managers hear agencies most and predict them best.
    let insight = if team == "relationship_management" {
        0.4
    } else {
        1.0
    };
    let person = 0.35 * normal(rng);
    let mut packed = vec![NO_ANSWER; items.len()];
    for item in items.iter().filter(|i| i.is_mirrored()) {
        if rng.random_bool(0.03) {
            continue;
        }
        let service = item.service_id.and_then(|id| service_codes.get(&id));
        let customer_mean = match service {
            Some(s) => service_mean(s),
            None => dimension_base(&item.dimension) + dimension_change(&item.dimension, wave),
        };
        let latent = match item.scale {
            Scale::Likert5 => {
                customer_mean + insight * staff_bias(&item.code) + person + 0.65 * normal(rng)
            }
            Scale::Importance5 => importance(&item.dimension).1 + 0.6 * normal(rng),
            Scale::Nps11 => 7.4 + 1.2 * normal(rng),
            Scale::Ces7 => 5.1 + 0.9 * normal(rng),
            _ => continue,
        };
        packed[item.position] = on_scale(latent, item.scale);
    }
    packed
}

fn comments_of(rng: &mut ChaCha8Rng, items: &[Item]) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for item in items.iter().filter(|i| i.scale == Scale::Text) {
        let bank = match item.code.as_str() {
            "comment_start" => COMMENTS_START,
            "comment_stop" => COMMENTS_STOP,
            _ => COMMENTS_CONTINUE,
        };
        if rng.random_bool(0.3) {
            out.push((item.id, bank[rng.random_range(0..bank.len())].to_string()));
        }
    }
    out
}
