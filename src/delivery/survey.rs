//! A survey answered through its link: the questions one audience sees, reading and
//! checking a posted form, drafts, and turning a submission into a response.
//!
//! Confidentiality: the response keeps only audience, agency, segment or team and the
//! minute it came in; nothing links it to the invitation (which only becomes `responded`,
//! dated to the day). Only a respondent who says yes to the contact question is named, in
//! a follow-up for their agency's relationship manager.

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, NaiveTime, Timelike};
use diesel::Connection;

use super::email;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::domain::{Audience, NO_ANSWER, Scale};
use crate::error::{AppError, Result};
use crate::store::follow_ups::{self, NewFollowUp};
use crate::store::instruments::Item;
use crate::store::invitations::{self, InvitationState, LinkedInvitation};
use crate::store::outbox::{self, MailKind};
use crate::store::responses::{self, NewResponse};
use crate::store::waves::Wave;

/// A survey as reached through one of its links.
#[derive(Debug, Clone)]
pub struct Opened {
    pub invitation: LinkedInvitation,
    pub wave: Wave,
    pub questions: Vec<Question>,
    /// Items in the wave's instrument (the length of a packed answer row).
    pub item_count: usize,
}

/// Where a survey link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    /// It can be answered.
    Open,
    /// Its survey was submitted.
    Responded,
    /// Its wave has closed or the link has expired.
    Closed,
}

impl Opened {
    pub fn status(&self, now: NaiveDateTime) -> LinkStatus {
        if self.invitation.state == InvitationState::Responded {
            LinkStatus::Responded
        } else if self.wave.is_closed(now) || self.invitation.expires_at.is_some_and(|t| t <= now) {
            LinkStatus::Closed
        } else {
            LinkStatus::Open
        }
    }
}

/// Finds the survey a link token opens; `None` for a token no link has.
pub fn open(conn: &mut DbConnection, token: &super::tokens::LinkToken) -> Result<Option<Opened>> {
    let Some(invitation) = invitations::find_by_link(conn, &token.hash())? else {
        return Ok(None);
    };
    let wave = crate::store::waves::get(conn, invitation.wave_id)?;
    let items = crate::store::instruments::items(conn, wave.instrument_id)?;
    Ok(Some(Opened {
        questions: questions(&items, invitation.audience),
        item_count: items.len(),
        invitation,
        wave,
    }))
}

/// The longest text answer accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;
/// The form value of "N/A" on a per-service question.
pub const NOT_APPLICABLE: &str = "na";
/// The words of the "N/A" option, the same for both audiences: a customer whose agency
/// does not use the service and a staff member who can't predict the answer both skip it.
pub const NOT_APPLICABLE_LABEL: &str = "Don't know / not applicable";
/// Answers at or below this on a satisfaction-like scale make a follow-up urgent.
pub const LOW_SCORE: u8 = 2;

/// The groups questions are shown in, in instrument order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Practice,
    Overall,
    Services,
    Importance,
    Comments,
    Contact,
}

impl Section {
    pub fn heading(self, audience: Audience) -> &'static str {
        match (self, audience) {
            (Section::Practice, Audience::Customer) => "How the IT office works with your agency",
            (Section::Practice, Audience::Staff) => "How you think agencies see us",
            (Section::Overall, _) => "Overall",
            (Section::Services, Audience::Customer) => "The services your agency uses",
            (Section::Services, Audience::Staff) => "Our services, as you think agencies see them",
            (Section::Importance, Audience::Customer) => "What matters most to your agency",
            (Section::Importance, Audience::Staff) => "What you think matters most to agencies",
            (Section::Comments, _) => "Your comments",
            (Section::Contact, _) => "May we contact you?",
        }
    }
}

/// One answer option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// One question as its audience sees it.
#[derive(Debug, Clone)]
pub struct Question {
    pub item_id: i64,
    /// Index into a response's packed answers.
    pub position: usize,
    pub code: String,
    pub dimension: String,
    pub scale: Scale,
    pub wording: String,
    pub section: Section,
    /// Empty for a text question.
    pub choices: Vec<Choice>,
    /// The label of the "N/A" option ([`NOT_APPLICABLE_LABEL`]), on per-service questions.
    pub not_applicable: Option<&'static str>,
}

impl Question {
    /// The form field, and the id of its first control (what the error summary links to).
    pub fn field(&self) -> String {
        format!("q_{}", self.code)
    }

    pub fn is_text(&self) -> bool {
        self.scale == Scale::Text
    }

    /// "May we contact you?": a yes/no item of the `contact` dimension.
    pub fn is_consent(&self) -> bool {
        self.scale == Scale::YesNo && self.dimension == "contact"
    }
}

/// The answer options of an item: its own response labels, the same for both audiences
/// (staff predict the customers' answer, on the customers' labels).
fn choices(item: &Item) -> Vec<Choice> {
    match (item.anchors, item.scale) {
        (Some(anchors), scale) => anchors
            .labels(scale)
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.to_string(),
                // On 0..10 the number is the answer; a worded end keeps its number beside it.
                label: if scale == Scale::Nps11 && label != value.to_string() {
                    format!("{value} ({label})")
                } else {
                    label.to_string()
                },
            })
            .collect(),
        (None, Scale::YesNo) => vec![
            Choice {
                value: "1".into(),
                label: "Yes".into(),
            },
            Choice {
                value: "0".into(),
                label: "No".into(),
            },
        ],
        (None, _) => Vec::new(),
    }
}

fn section_of(item: &Item) -> Section {
    match item.scale {
        Scale::Text => Section::Comments,
        Scale::YesNo => Section::Contact,
        Scale::Importance5 => Section::Importance,
        _ if item.service_id.is_some() => Section::Services,
        _ if matches!(item.dimension.as_str(), "overall" | "loyalty" | "effort") => {
            Section::Overall
        }
        _ => Section::Practice,
    }
}

/// The questions `audience` is asked, in instrument order: customers get every item in
/// the customer wording; staff only the mirrored items, in the staff wording. Both pick from
/// the item's own response labels, and per-service items offer both the same "N/A".
pub fn questions(items: &[Item], audience: Audience) -> Vec<Question> {
    items
        .iter()
        .filter_map(|item| {
            let wording = match audience {
                Audience::Customer => item.customer_wording.clone(),
                Audience::Staff => item.staff_wording.clone()?,
            };
            Some(Question {
                item_id: item.id,
                position: item.position,
                code: item.code.clone(),
                dimension: item.dimension.clone(),
                scale: item.scale,
                wording,
                section: section_of(item),
                choices: choices(item),
                not_applicable: item.service_id.map(|_| NOT_APPLICABLE_LABEL),
            })
        })
        .collect()
}

/// A posted survey form, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawForm {
    /// The anti-forgery key the form carried.
    pub form_key: Option<String>,
    /// `save` or `submit`: which button was pressed.
    pub action: Option<String>,
    /// Item code → value as sent.
    pub answers: BTreeMap<String, String>,
    /// Fields that don't belong in the form (unknown names, a field sent twice).
    pub problems: Vec<String>,
}

/// Reads the posted fields: `form_key`, `action`, and `q_{item code}` per answer.
pub fn read_form(fields: Vec<(String, String)>) -> RawForm {
    let mut form = RawForm::default();
    for (name, value) in fields {
        let duplicate = match name.as_str() {
            "form_key" => form.form_key.replace(value).is_some(),
            "action" => form.action.replace(value).is_some(),
            _ => match name.strip_prefix("q_") {
                Some(code) if !code.is_empty() => {
                    form.answers.insert(code.to_string(), value).is_some()
                }
                _ => {
                    form.problems.push(format!(
                        "The form sent a field this survey does not have ({}).",
                        printable(&name)
                    ));
                    false
                }
            },
        };
        if duplicate {
            form.problems.push(format!(
                "The form sent the field {} more than once.",
                printable(&name)
            ));
        }
    }
    form
}

/// A field name fit to show back: short, printable.
fn printable(name: &str) -> String {
    let shown: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
    format!("`{shown}`")
}

/// Which button was pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// "Save and continue later": keep a draft.
    Save,
    /// "Submit": record the response.
    Submit,
}

impl RawForm {
    pub fn action(&self) -> Option<Action> {
        match self.action.as_deref() {
            Some("save") => Some(Action::Save),
            Some("submit") => Some(Action::Submit),
            _ => None,
        }
    }
}

/// One answer that passed its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    Value(u8),
    NotApplicable,
    Text(String),
}

impl Answered {
    /// As the form (and a draft) writes it.
    pub fn form_value(&self) -> String {
        match self {
            Answered::Value(v) => v.to_string(),
            Answered::NotApplicable => NOT_APPLICABLE.to_string(),
            Answered::Text(t) => t.clone(),
        }
    }
}

/// A problem with one question's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub code: String,
    pub message: String,
}

/// A form after checking every answer against its question's scale.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub answers: BTreeMap<String, Answered>,
    pub errors: Vec<FieldError>,
    /// Problems with the form as a whole (unknown questions, nothing answered).
    pub problems: Vec<String>,
}

impl Checked {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty() && self.problems.is_empty()
    }
}

/// Checks every answer of `form` against the questions. On submit at least one question
/// must be answered.
pub fn check(questions: &[Question], form: &RawForm, action: Action) -> Checked {
    let mut checked = Checked {
        problems: form.problems.clone(),
        ..Checked::default()
    };
    for (code, raw) in &form.answers {
        let Some(question) = questions.iter().find(|q| &q.code == code) else {
            checked.problems.push(format!(
                "The form answered a question that is not in this survey ({}).",
                printable(code)
            ));
            continue;
        };
        let error = |message: String| FieldError {
            code: code.clone(),
            message,
        };
        if question.is_text() {
            let text = raw.trim();
            if text.chars().count() > MAX_TEXT_CHARS {
                checked.errors.push(error(format!(
                    "Keep your answer under {MAX_TEXT_CHARS} characters: {}",
                    question.wording
                )));
            } else if !text.is_empty() {
                checked
                    .answers
                    .insert(code.clone(), Answered::Text(text.to_string()));
            }
            continue;
        }
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        if raw == NOT_APPLICABLE {
            if question.not_applicable.is_some() {
                checked
                    .answers
                    .insert(code.clone(), Answered::NotApplicable);
            } else {
                checked.errors.push(error(format!(
                    "N/A is not an answer to: {}",
                    question.wording
                )));
            }
            continue;
        }
        match question.scale.parse_value(raw) {
            Ok(Some(answer)) => {
                checked
                    .answers
                    .insert(code.clone(), Answered::Value(answer.value()));
            }
            Ok(None) => {}
            Err(_) => {
                let (lo, hi) = question.scale.range().unwrap_or((0, 0));
                let options = if question.scale == Scale::YesNo {
                    "yes or no".to_string()
                } else {
                    format!("an answer from {lo} to {hi}")
                };
                // The item's own wording ends the message: it carries its punctuation.
                checked
                    .errors
                    .push(error(format!("Choose {options} for: {}", question.wording)));
            }
        }
    }
    if action == Action::Submit && checked.answers.is_empty() && checked.is_ok() {
        checked
            .problems
            .push("Answer at least one question before you submit the survey.".into());
    }
    // In the order the questions are asked, so the summary reads like the page.
    checked.errors.sort_by_key(|e| {
        questions
            .iter()
            .position(|q| q.code == e.code)
            .unwrap_or(usize::MAX)
    });
    checked
}

/// A draft as stored in `invitations.draft`: JSON of item code → form value.
pub fn draft_bytes(answers: &BTreeMap<String, Answered>) -> Vec<u8> {
    let values: BTreeMap<&str, String> = answers
        .iter()
        .map(|(code, a)| (code.as_str(), a.form_value()))
        .collect();
    serde_json::to_vec(&values).unwrap_or_default()
}

/// The values of a stored draft. A draft that can't be read shows as empty, never as an
/// error: the worst case is answering again.
pub fn draft_values(bytes: Option<&[u8]>) -> BTreeMap<String, String> {
    bytes
        .and_then(|b| serde_json::from_slice(b).ok())
        .unwrap_or_default()
}

/// Saves the answers given so far. False when the survey was submitted meanwhile.
pub fn save_draft(
    conn: &mut DbConnection,
    invitation: &LinkedInvitation,
    answers: &BTreeMap<String, Answered>,
) -> Result<bool> {
    invitations::save_draft(conn, invitation.id, &draft_bytes(answers))
}

/// The start of the minute: responses keep no finer time.
fn to_the_minute(t: NaiveDateTime) -> NaiveDateTime {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

/// What a submission did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    /// The response (and any follow-up) was stored.
    Recorded,
    /// This link's survey had been submitted already; nothing was stored.
    AlreadyResponded,
}

/// Records a submitted survey in one transaction: the invitation becomes `responded`
/// (guarded, so a second submit stores nothing), the response and its comments, a
/// follow-up if the respondent agreed to be contacted, and the thank-you email if that is
/// switched on. Pending reminders are cancelled.
pub fn submit(
    conn: &mut DbConnection,
    settings: &Settings,
    invitation: &LinkedInvitation,
    wave: &Wave,
    questions: &[Question],
    item_count: usize,
    answers: &BTreeMap<String, Answered>,
) -> Result<Submitted> {
    conn.transaction::<_, AppError, _>(|conn| {
        let now = crate::store::now();
        // First statement of the transaction, and a write: SQLite takes its write lock
        // here, PostgreSQL the row lock, so a concurrent second submit waits and then
        // finds the invitation responded.
        if !invitations::mark_responded(conn, invitation.id, now.date().and_time(NaiveTime::MIN))? {
            return Ok(Submitted::AlreadyResponded);
        }
        let recipient = invitations::recipient(conn, invitation.id)?;
        let mut packed = vec![NO_ANSWER; item_count];
        let mut comments = Vec::new();
        let mut consent = false;
        let mut low = Vec::new();
        for question in questions {
            match answers.get(&question.code) {
                Some(Answered::Value(v)) => {
                    let slot = packed.get_mut(question.position).ok_or_else(|| {
                        AppError::Internal(format!(
                            "item {} has position {} of {item_count}",
                            question.code, question.position
                        ))
                    })?;
                    *slot = *v;
                    if question.is_consent() && *v == 1 {
                        consent = true;
                    }
                    if matches!(question.scale, Scale::Likert5 | Scale::Ces7 | Scale::Nps11)
                        && *v <= LOW_SCORE
                    {
                        low.push(format!("{} {v}", question.code));
                    }
                }
                Some(Answered::Text(text)) => comments.push((question.item_id, text.clone())),
                Some(Answered::NotApplicable) | None => {}
            }
        }
        responses::insert(
            conn,
            wave.id,
            &[NewResponse {
                audience: invitation.audience,
                agency_id: recipient.agency_id,
                segment: recipient.segment.clone(),
                submitted_at: to_the_minute(now),
                answers: packed,
                comments,
            }],
        )?;
        if consent && invitation.audience == Audience::Customer {
            let assigned_to = match &recipient.brm_owner_email {
                Some(email) => follow_ups::user_id_by_email(conn, email)?,
                None => None,
            };
            let mut reason = String::from("Asked to be contacted about their survey answers.");
            if !low.is_empty() {
                reason.push_str(&format!(" Low scores: {}.", low.join(", ")));
            }
            follow_ups::insert(
                conn,
                &NewFollowUp {
                    wave_id: wave.id,
                    agency_id: recipient.agency_id,
                    contact_name: recipient.name.clone(),
                    contact_email: recipient.email.clone(),
                    reason,
                    urgent: !low.is_empty(),
                    assigned_to,
                },
            )?;
        }
        outbox::cancel_pending(
            conn,
            invitation.id,
            &[MailKind::Invitation, MailKind::Reminder],
            "not sent: the recipient has responded",
        )?;
        if settings.thank_you_email && invitation.state != InvitationState::OptedOut {
            outbox::enqueue(
                conn,
                &[email::thank_you_message(
                    settings,
                    wave,
                    invitation.id,
                    &recipient.name,
                    &recipient.email,
                )?],
            )?;
        }
        Ok(Submitted::Recorded)
    })
}

/// Opts the recipient out of further mail for this wave and cancels what is queued for
/// them. False if they had already opted out or answered.
pub fn opt_out(conn: &mut DbConnection, invitation: &LinkedInvitation) -> Result<bool> {
    conn.transaction::<_, AppError, _>(|conn| {
        if !invitations::opt_out(conn, invitation.id)? {
            return Ok(false);
        }
        outbox::cancel_pending(
            conn,
            invitation.id,
            &[MailKind::Invitation, MailKind::Reminder, MailKind::ThankYou],
            "not sent: the recipient opted out",
        )?;
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str, scale: Scale, staff: bool, service: bool) -> Item {
        let dimension = if scale == Scale::YesNo {
            "contact"
        } else {
            "reliability"
        };
        Item {
            id: 1,
            position: 0,
            code: code.into(),
            dimension: dimension.into(),
            scale,
            label: code.into(),
            anchors: crate::domain::Anchors::default_for(scale, dimension),
            customer_wording: format!("{code}?"),
            staff_wording: staff.then(|| format!("{code}, staff?")),
            service_id: service.then_some(7),
        }
    }

    fn form(pairs: &[(&str, &str)]) -> RawForm {
        read_form(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn staff_see_only_mirrored_items_in_their_wording() {
        let items = [
            item("a", Scale::Likert5, true, false),
            item("b", Scale::Text, false, false),
        ];
        let staff = questions(&items, Audience::Staff);
        assert_eq!(staff.len(), 1);
        assert_eq!(staff[0].wording, "a, staff?");
        assert_eq!(questions(&items, Audience::Customer).len(), 2);
    }

    #[test]
    fn both_audiences_pick_from_the_items_own_labels_and_the_same_na() {
        use crate::domain::Anchors;
        let mut quality = item("q", Scale::Likert5, true, true);
        quality.anchors = Some(Anchors::Quality);
        let items = [
            item("a", Scale::Likert5, true, false),
            quality,
            item("e", Scale::Ces7, true, false),
            item("n", Scale::Nps11, true, false),
            item("i", Scale::Importance5, true, false),
        ];
        let customer = questions(&items, Audience::Customer);
        let staff = questions(&items, Audience::Staff);
        assert_eq!(customer.len(), staff.len());
        for (c, s) in customer.iter().zip(&staff) {
            assert_eq!(c.choices, s.choices, "{}", c.code);
            assert_eq!(c.not_applicable, s.not_applicable, "{}", c.code);
            assert!(!c.choices.is_empty(), "{}", c.code);
        }
        let labels = |q: &Question| {
            q.choices
                .iter()
                .map(|c| c.label.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(labels(&staff[0])[0], "Strongly disagree");
        assert_eq!(
            labels(&staff[1]),
            ["Very poor", "Poor", "Fair", "Good", "Excellent"]
        );
        assert_eq!(staff[1].not_applicable, Some(NOT_APPLICABLE_LABEL));
        assert_eq!(staff[0].not_applicable, None);
        assert_eq!(labels(&staff[2]).len(), 7);
        assert_eq!(labels(&staff[2])[6], "Strongly agree");
        assert_eq!(labels(&staff[3])[0], "0 (Not at all likely)");
        assert_eq!(labels(&staff[3])[5], "5");
        assert_eq!(labels(&staff[3])[10], "10 (Extremely likely)");
        assert_eq!(labels(&staff[4])[4], "Critical");

        // N/A is an answer on the per-service item for staff as for customers, nowhere else.
        for q in [&customer, &staff] {
            let na = check(q, &form(&[("q_q", "na")]), Action::Submit);
            assert!(na.is_ok(), "{na:?}");
            assert_eq!(na.answers["q"], Answered::NotApplicable);
            assert_eq!(
                check(q, &form(&[("q_a", "na")]), Action::Save).errors.len(),
                1
            );
        }
    }

    #[test]
    fn answers_are_checked_against_their_scales() {
        let items = [
            item("a", Scale::Likert5, true, false),
            item("s", Scale::Likert5, true, true),
            item("t", Scale::Text, false, false),
            item("c", Scale::YesNo, false, false),
        ];
        let q = questions(&items, Audience::Customer);
        let ok = check(
            &q,
            &form(&[("q_a", "5"), ("q_s", "na"), ("q_t", " hi "), ("q_c", "1")]),
            Action::Submit,
        );
        assert!(ok.is_ok(), "{ok:?}");
        assert_eq!(ok.answers["a"], Answered::Value(5));
        assert_eq!(ok.answers["s"], Answered::NotApplicable);
        assert_eq!(ok.answers["t"], Answered::Text("hi".into()));

        let bad = check(
            &q,
            &form(&[("q_a", "6"), ("q_c", "maybe"), ("q_zz", "1"), ("x", "1")]),
            Action::Save,
        );
        assert_eq!(bad.errors.len(), 2, "{bad:?}");
        assert_eq!(bad.problems.len(), 2, "{bad:?}");
        let na = check(&q, &form(&[("q_a", "na")]), Action::Save);
        assert_eq!(na.errors.len(), 1);
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            check(&q, &form(&[("q_t", &long)]), Action::Save)
                .errors
                .len(),
            1
        );
        let empty = check(&q, &form(&[("q_a", "")]), Action::Submit);
        assert_eq!(empty.problems.len(), 1);
        assert!(check(&q, &form(&[]), Action::Save).is_ok());
        let twice = form(&[("q_a", "1"), ("q_a", "2")]);
        assert_eq!(twice.problems.len(), 1);
    }

    #[test]
    fn drafts_round_trip() {
        let mut answers = BTreeMap::new();
        answers.insert("a".to_string(), Answered::Value(3));
        answers.insert("s".to_string(), Answered::NotApplicable);
        let values = draft_values(Some(&draft_bytes(&answers)));
        assert_eq!(values["a"], "3");
        assert_eq!(values["s"], "na");
        assert!(draft_values(Some(b"not json")).is_empty());
        assert!(draft_values(None).is_empty());
    }
}
