//! Where mail goes: an SMTP server (`smtp::SmtpPool`: lettre's SMTP connections, reused
//! across messages), or, with no SMTP host set, `.eml` files in a folder.
//!
//! `send` says whether a failure is worth retrying: SMTP 5xx replies and addresses that
//! can't be used are permanent; 4xx replies, refused or dropped connections, timeouts and
//! TLS trouble are transient.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lettre::Message;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::TlsParameters;

use super::smtp::{Security, Server, SmtpPool};
use crate::config::{Settings, SmtpTls};
use crate::error::{AppError, Result};

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        pool: Arc<SmtpPool>,
        /// `host:port (tls)`, for logs.
        describe: String,
    },
    /// Each message becomes `{folder}/{message id}.eml`.
    Folder(PathBuf),
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> Result<Mailer> {
        let Some(host) = settings.smtp_host.as_deref().map(str::trim) else {
            return Ok(Mailer::Folder(settings.mail_dir.clone()));
        };
        let port = settings.smtp_port_or_default();
        let parameters = || {
            TlsParameters::new(host.to_string())
                .map_err(|e| AppError::invalid(format!("TLS for {host}: {e}")))
        };
        let security = match settings.smtp_tls {
            SmtpTls::Tls => Security::Tls(parameters()?),
            SmtpTls::Starttls => Security::Starttls(parameters()?),
            SmtpTls::None => Security::None,
        };
        let credentials = match (&settings.smtp_user, &settings.smtp_password) {
            (Some(user), Some(password)) => {
                Some(Credentials::new(user.clone(), password.0.clone()))
            }
            _ => None,
        };
        let mode = match settings.smtp_tls {
            SmtpTls::Tls => "tls",
            SmtpTls::Starttls => "starttls",
            SmtpTls::None => "no tls",
        };
        let server = Server {
            host: host.to_string(),
            port,
            security,
            credentials,
            timeout: Duration::from_secs(settings.smtp_timeout_secs),
        };
        Ok(Mailer::Smtp {
            pool: Arc::new(SmtpPool::new(server, settings.mail_concurrency)),
            describe: format!("{host}:{port} ({mode})"),
        })
    }

    /// Where this mailer sends, for logs and messages.
    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp { describe, .. } => format!("SMTP {describe}"),
            Mailer::Folder(dir) => format!("the folder {}", dir.display()),
        }
    }

    /// Delivers one message. `name` names its file in folder mode: the same message
    /// written twice replaces its file rather than adding one.
    pub fn send(&self, message: &Message, name: &str) -> Result<()> {
        match self {
            Mailer::Smtp { pool, .. } => pool.send(message),
            Mailer::Folder(dir) => write_eml(dir, name, &message.formatted()),
        }
    }
}

/// A file name from a Message-ID: only characters safe in any file system.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn write_eml(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    // A full disk or a missing permission may pass; retrying is right.
    let transient = |what: &str, e: std::io::Error| {
        AppError::mail_transient(format!("cannot {what} in {}: {e}", dir.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| transient("create the mail folder", e))?;
    let stem = file_stem(name);
    let path = dir.join(format!("{stem}.eml"));
    // Written whole, then renamed: a reader never sees half a message.
    let partial = dir.join(format!(".{stem}.eml.partial"));
    std::fs::write(&partial, bytes).map_err(|e| transient("write a message", e))?;
    std::fs::rename(&partial, &path).map_err(|e| transient("write a message", e))?;
    Ok(())
}

/// One `.eml` file in the mail folder, as `rind mail ls` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MailFile {
    pub file: String,
    pub date: String,
    pub to: String,
    pub subject: String,
}

/// The `.eml` files in `dir`, oldest first (by file time, then name). An absent folder
/// holds no mail.
pub fn list_folder(dir: &Path) -> Result<Vec<MailFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(AppError::io(format!("cannot read {}", dir.display()), e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| AppError::io(format!("cannot read {}", dir.display()), e))?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("eml") {
            continue;
        }
        let modified = entry.metadata().and_then(|m| m.modified()).ok();
        let text = std::fs::read(&path)
            .map_err(|e| AppError::io(format!("cannot read {}", path.display()), e))?;
        let text = String::from_utf8_lossy(&text);
        let header = |name: &str| decode_words(&header_value(&text, name).unwrap_or_default());
        files.push((
            modified,
            MailFile {
                file: entry.file_name().to_string_lossy().into_owned(),
                date: header("Date"),
                to: header("To"),
                subject: header("Subject"),
            },
        ));
    }
    files.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.file.cmp(&y.file)));
    Ok(files.into_iter().map(|(_, f)| f).collect())
}

/// The unfolded value of a header in a message's header block.
fn header_value(message: &str, name: &str) -> Option<String> {
    let head = message
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .split("\n\n")
        .next()
        .unwrap_or_default();
    let mut value: Option<String> = None;
    for line in head.lines() {
        let line = line.trim_end_matches('\r');
        match &mut value {
            Some(v) if line.starts_with([' ', '\t']) => {
                v.push(' ');
                v.push_str(line.trim());
            }
            Some(_) => break,
            None => {
                if let Some((key, rest)) = line.split_once(':')
                    && key.eq_ignore_ascii_case(name)
                {
                    value = Some(rest.trim().to_string());
                }
            }
        }
    }
    value
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`), as lettre writes
/// headers that are not plain ASCII. Anything it can't decode is left as it is.
fn decode_words(value: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, from) = rest.split_at(start);
        let decoded = from[2..].split_once('?').and_then(|(_charset, after)| {
            let (encoding, after) = after.split_once('?')?;
            let (text, after) = after.split_once("?=")?;
            let bytes = match encoding {
                "b" | "B" => base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .ok()?,
                "q" | "Q" => decode_q(text)?,
                _ => return None,
            };
            Some((String::from_utf8_lossy(&bytes).into_owned(), after))
        });
        match decoded {
            Some((word, after)) => {
                // Whitespace between two encoded words is not part of the text.
                if !(last_was_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&word);
                rest = after;
                last_was_word = true;
            }
            None => {
                out.push_str(before);
                out.push_str("=?");
                rest = &from[2..];
                last_was_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_q(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

/// One `.eml` file of the mail folder, read for the dev mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailText {
    pub file: String,
    pub date: String,
    pub to: String,
    pub subject: String,
    /// The plain-text part, decoded.
    pub text: String,
}

/// Reads the message `name` of `dir`. Only a plain file name ending in `.eml` is
/// accepted, so no path outside the folder can be asked for.
pub fn read_file(dir: &Path, name: &str) -> Result<MailText> {
    let plain = !name.starts_with('.')
        && name.ends_with(".eml")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@' | '+'));
    if !plain {
        return Err(AppError::NotFound(format!("mail file {name}")));
    }
    let path = dir.join(name);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AppError::NotFound(format!("mail file {name}")));
        }
        Err(e) => return Err(AppError::io(format!("cannot read {}", path.display()), e)),
    };
    let raw = String::from_utf8_lossy(&bytes);
    let header = |h: &str| decode_words(&header_value(&raw, h).unwrap_or_default());
    let text = mail_parser::MessageParser::default()
        .parse(&bytes)
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
        .unwrap_or_default();
    Ok(MailText {
        file: name.to_string(),
        date: header("Date"),
        to: header("To"),
        subject: header("Subject"),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_are_decoded() {
        assert_eq!(decode_words("plain subject"), "plain subject");
        assert_eq!(
            decode_words("=?utf-8?b?QW5hIEdhcmPDrWE=?= <ana@dot.example>"),
            "Ana García <ana@dot.example>"
        );
        assert_eq!(decode_words("=?utf-8?q?Garc=C3=ADa_x?="), "García x");
        assert_eq!(decode_words("=?utf-8?b?QQ==?= =?utf-8?b?Qg==?="), "AB");
        assert_eq!(
            decode_words("broken =?utf-8?x?abc?="),
            "broken =?utf-8?x?abc?="
        );
    }

    #[test]
    fn folded_headers_are_unfolded() {
        let message = "To: a@b.example\r\nSubject: one\r\n two\r\n\r\nSubject: body\r\n";
        assert_eq!(header_value(message, "subject").as_deref(), Some("one two"));
        assert_eq!(header_value(message, "Date"), None);
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_stem("a/b@c.example"), "a_b_c.example");
    }

    #[test]
    fn a_mail_file_is_read_by_plain_name_only() {
        let dir = std::env::temp_dir().join(format!("rind-mail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let message = "To: =?utf-8?b?QW5hIEdhcmPDrWE=?= <ana@dot.example>\r\n\
            Subject: Your survey\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\
            MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
            Content-Transfer-Encoding: quoted-printable\r\n\r\n\
            Hello =3Cb=3EAna=3C/b=3E, a caf=C3=A9.\r\n";
        std::fs::write(dir.join("m1.eml"), message).unwrap();
        std::fs::write(dir.join("secret.txt"), "no").unwrap();
        let mail = read_file(&dir, "m1.eml").unwrap();
        assert_eq!(mail.to, "Ana García <ana@dot.example>");
        assert_eq!(mail.subject, "Your survey");
        assert_eq!(mail.text.trim(), "Hello <b>Ana</b>, a café.");
        for bad in ["secret.txt", "../m1.eml", ".eml", "nope.eml", "a/m1.eml"] {
            assert!(
                matches!(read_file(&dir, bad), Err(AppError::NotFound(_))),
                "{bad}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
