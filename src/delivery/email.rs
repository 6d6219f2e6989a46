//! Survey emails: rendered from the askama templates in `templates/email/` when they are
//! queued, and turned into a multipart (text + HTML) message when they are sent.
//!
//! A queued body holds `TOKEN_PLACEHOLDER` where the survey link's token goes. The worker
//! issues a fresh token for each message at the moment it sends it and puts it in, so no
//! link token is ever stored, not even in the outbox.

use std::str::FromStr;

use askama::Template;
use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};

use super::tokens::{LinkToken, random_hex, survey_link};
use crate::config::Settings;
use crate::domain::Audience;
use crate::error::{AppError, Result};
use crate::store::outbox::{ClaimedMessage, MailKind, NewMessage};
use crate::store::waves::Wave;

/// Stands for the link token in a queued body. Only URL-safe characters, so it survives
/// HTML escaping and sits in the link exactly where the token will.
pub const TOKEN_PLACEHOLDER: &str = "RIND-LINK-TOKEN";

/// What the survey email (invitation or reminder) says.
struct SurveyEmail<'a> {
    subject: &'a str,
    name: &'a str,
    reminder: bool,
    staff: bool,
    /// The wave's own message, or the default one, in paragraphs.
    paragraphs: Vec<&'a str>,
    link: String,
    unsubscribe: String,
    closes: Option<String>,
    minutes: u32,
    threshold: u32,
}

#[derive(Template)]
#[template(path = "email/survey.txt")]
struct SurveyText<'a> {
    m: &'a SurveyEmail<'a>,
}

#[derive(Template)]
#[template(path = "email/survey.html")]
struct SurveyHtml<'a> {
    m: &'a SurveyEmail<'a>,
}

struct ThankYouEmail<'a> {
    subject: &'a str,
    name: &'a str,
    wave: &'a str,
    threshold: u32,
}

#[derive(Template)]
#[template(path = "email/thank_you.txt")]
struct ThankYouText<'a> {
    m: &'a ThankYouEmail<'a>,
}

#[derive(Template)]
#[template(path = "email/thank_you.html")]
struct ThankYouHtml<'a> {
    m: &'a ThankYouEmail<'a>,
}

const CUSTOMER_MESSAGE: &str = "The IT office wants to know how well it serves your agency: \
what works, what doesn't, and what matters most to you. Your answers shape what we fix first.";
const STAFF_MESSAGE: &str = "Agencies are telling us how well we serve them. Before we read \
their answers, we'd like your view: how do you think agencies rate us? Comparing the two shows \
where we see ourselves as our customers do, and where we don't.";

fn render(template: &impl Template, what: &str) -> Result<String> {
    template
        .render()
        .map_err(|e| AppError::Internal(format!("cannot render the {what} email: {e}")))
}

fn subject_of(kind: MailKind, audience: Audience, wave: &Wave) -> String {
    let topic = match audience {
        Audience::Customer => "How well does the IT office serve your agency?",
        Audience::Staff => "How do you think agencies see us?",
    };
    match kind {
        MailKind::Invitation => format!("{topic} (survey {})", wave.code),
        MailKind::Reminder => format!("Reminder: {topic} (survey {})", wave.code),
        MailKind::ThankYou => format!("Thank you for answering the survey {}", wave.code),
    }
}

/// The domain of the sender address, for our Message-IDs.
fn message_id_domain(settings: &Settings) -> String {
    Mailbox::from_str(&settings.mail_from)
        .map(|m| m.email.domain().to_string())
        .unwrap_or_else(|_| "localhost".into())
}

/// A unique Message-ID (without angle brackets) that sorts by time.
fn new_message_id(settings: &Settings) -> String {
    format!(
        "{}.{}@{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S"),
        random_hex(12),
        message_id_domain(settings)
    )
}

/// An invitation or reminder, ready for the outbox.
pub fn survey_message(
    settings: &Settings,
    wave: &Wave,
    kind: MailKind,
    audience: Audience,
    invitation_id: i64,
    name: &str,
    email: &str,
) -> Result<NewMessage> {
    let subject = subject_of(kind, audience, wave);
    let link = survey_link(settings.link_base(), TOKEN_PLACEHOLDER);
    let paragraphs: Vec<&str> = match wave.message.as_deref().map(str::trim) {
        Some(message) if !message.is_empty() => message
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect(),
        _ => vec![match audience {
            Audience::Customer => CUSTOMER_MESSAGE,
            Audience::Staff => STAFF_MESSAGE,
        }],
    };
    let content = SurveyEmail {
        subject: &subject,
        name,
        reminder: kind == MailKind::Reminder,
        staff: audience == Audience::Staff,
        paragraphs,
        unsubscribe: format!("{link}/unsubscribe"),
        link,
        closes: wave.closes_at.map(|t| t.format("%-d %B %Y").to_string()),
        minutes: 10,
        threshold: settings.reporting_threshold,
    };
    Ok(NewMessage {
        kind,
        invitation_id: Some(invitation_id),
        recipient: email.to_string(),
        body_text: render(&SurveyText { m: &content }, "survey")?,
        body_html: render(&SurveyHtml { m: &content }, "survey")?,
        subject,
        message_id: new_message_id(settings),
    })
}

/// The thank-you after a submitted survey, ready for the outbox.
pub fn thank_you_message(
    settings: &Settings,
    wave: &Wave,
    invitation_id: i64,
    name: &str,
    email: &str,
) -> Result<NewMessage> {
    let subject = subject_of(MailKind::ThankYou, Audience::Customer, wave);
    let content = ThankYouEmail {
        subject: &subject,
        name,
        wave: &wave.code,
        threshold: settings.reporting_threshold,
    };
    Ok(NewMessage {
        kind: MailKind::ThankYou,
        invitation_id: Some(invitation_id),
        recipient: email.to_string(),
        body_text: render(&ThankYouText { m: &content }, "thank-you")?,
        body_html: render(&ThankYouHtml { m: &content }, "thank-you")?,
        subject,
        message_id: new_message_id(settings),
    })
}

/// Whether a queued body wants a link token put in.
pub fn wants_link(message: &ClaimedMessage) -> bool {
    message.body_text.contains(TOKEN_PLACEHOLDER) || message.body_html.contains(TOKEN_PLACEHOLDER)
}

fn body(text: String) -> Result<Body> {
    // Quoted-printable whatever the text: long link lines stay intact for every reader.
    Body::new_with_encoding(text, ContentTransferEncoding::QuotedPrintable)
        .map_err(|_| AppError::Internal("cannot encode an email body".into()))
}

/// The message as it goes out: our Message-ID, a `List-Unsubscribe` header when it
/// carries a link, and text and HTML alternatives with the link token put in.
pub fn build(
    settings: &Settings,
    message: &ClaimedMessage,
    token: Option<&LinkToken>,
) -> Result<Message> {
    let from = Mailbox::from_str(&settings.mail_from)
        .map_err(|e| AppError::invalid(format!("mail_from: {e}")))?;
    // An address our own parser let through but lettre refuses can never be delivered.
    let to = Mailbox::from_str(&message.recipient).map_err(|e| {
        AppError::mail_permanent(format!("the recipient address can't be used: {e}"))
    })?;
    let fill = |body: &str| match token {
        Some(token) => body.replace(TOKEN_PLACEHOLDER, token.as_str()),
        None => body.to_string(),
    };
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(message.subject.clone())
        .message_id(Some(format!("<{}>", message.message_id)))
        .date_now();
    if let Some(token) = token {
        let unsubscribe = format!(
            "<{}/unsubscribe>",
            survey_link(settings.link_base(), token.as_str())
        );
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            unsubscribe,
        ));
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(body(fill(&message.body_text))?),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(body(fill(&message.body_html))?),
                ),
        )
        .map_err(|e| AppError::Internal(format!("cannot build the email: {e}")))
}
