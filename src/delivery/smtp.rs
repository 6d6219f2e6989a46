//! SMTP sessions: lettre's `SmtpConnection` (connect, TLS, EHLO, AUTH, commands), pooled
//! here, with each message's data written in one piece.
//!
//! Why not lettre's own `SmtpTransport`: lettre 0.11.23, the latest release, writes a
//! message's data and its closing `<CRLF>.<CRLF>` in two writes on a socket that has
//! Nagle's algorithm on. The five-byte second write then waits until the server
//! acknowledges the first, and servers delay that acknowledgement (40 ms on Linux), so
//! every message costs 40 ms of waiting: at most about 25 messages a second per connection,
//! whatever the server's speed (measured: 79 messages/s with four connections; see
//! BENCHMARKS.md). lettre has merged a fix (pull request #1159, `TCP_NODELAY`) but not
//! released it. Here the data and its terminator go in one write, so the last segment
//! leaves at once (Linux holds back a small segment only while an earlier *small* one is
//! unacknowledged). Once a lettre release sets `TCP_NODELAY`, this module can go back to
//! `SmtpTransport`.
//!
//! The pool mirrors lettre's: idle connections are reused (checked with NOOP first), at
//! most `max_idle` are kept, any error closes the connection it happened on, and a
//! connection idle for over a minute is closed rather than reused.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use lettre::Message;
use lettre::address::Envelope;
use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use crate::error::{AppError, Result};

/// How long an idle connection may wait for its next message.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How the connection is secured.
#[derive(Clone)]
pub enum Security {
    /// Plain SMTP (a trusted local relay only).
    None,
    /// STARTTLS, required: a server that doesn't offer it is an error.
    Starttls(TlsParameters),
    /// Implicit TLS from the first byte.
    Tls(TlsParameters),
}

/// Where and how to connect.
#[derive(Clone)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<Credentials>,
    pub timeout: Duration,
}

struct Idle {
    conn: SmtpConnection,
    since: Instant,
}

/// A pool of SMTP connections to one server.
pub struct SmtpPool {
    server: Server,
    hello: ClientId,
    max_idle: usize,
    idle: Mutex<Vec<Idle>>,
}

/// A message's data, dot-stuffed and terminated, written by `SmtpConnection::command` in
/// one `write_all`.
struct DataBlock<'a>(&'a str);

impl fmt::Display for DataBlock<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&dot_stuffed(self.0))?;
        f.write_str("\r\n.\r\n")
    }
}

/// The data with a dot added before each line that starts with one (RFC 5321, 4.5.2).
fn dot_stuffed(data: &str) -> String {
    let mut out = String::with_capacity(data.len() + 16);
    for (i, line) in data.split("\r\n").enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
    }
    out
}

/// A lettre error as rind's: 5xx replies are permanent, everything else may pass.
fn mail_error(e: &SmtpError) -> AppError {
    if e.is_permanent() {
        AppError::mail_permanent(e.to_string())
    } else {
        AppError::mail_transient(e.to_string())
    }
}

impl SmtpPool {
    pub fn new(server: Server, max_idle: u32) -> SmtpPool {
        SmtpPool {
            server,
            hello: ClientId::default(),
            max_idle: usize::try_from(max_idle.max(1)).unwrap_or(1),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// `host:port`.
    pub fn address(&self) -> String {
        format!("{}:{}", self.server.host, self.server.port)
    }

    /// Opens, secures and signs in a new connection.
    fn connect(&self) -> Result<SmtpConnection> {
        let s = &self.server;
        let wrapper = match &s.security {
            Security::Tls(parameters) => Some(parameters),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (s.host.as_str(), s.port),
            Some(s.timeout),
            &self.hello,
            wrapper,
            None,
        )
        .map_err(|e| mail_error(&e))?;
        let secured = match &s.security {
            Security::Starttls(parameters) => {
                if !conn.can_starttls() {
                    conn.abort();
                    return Err(AppError::mail_transient(format!(
                        "{} does not offer STARTTLS, which smtp_tls = \"starttls\" requires",
                        self.address()
                    )));
                }
                conn.starttls(parameters, &self.hello)
            }
            _ => Ok(()),
        }
        .and_then(|()| match &s.credentials {
            Some(credentials) => conn.auth(DEFAULT_MECHANISMS, credentials).map(|_| ()),
            None => Ok(()),
        });
        match secured {
            Ok(()) => Ok(conn),
            Err(e) => {
                conn.abort();
                Err(mail_error(&e))
            }
        }
    }

    /// An idle connection that still answers, or a new one.
    fn checkout(&self) -> Result<SmtpConnection> {
        loop {
            let idle = self
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let Some(Idle { mut conn, since }) = idle else {
                return self.connect();
            };
            if since.elapsed() > IDLE_TIMEOUT {
                let _ = conn.quit();
                continue;
            }
            if conn.test_connected() {
                return Ok(conn);
            }
            conn.abort();
        }
    }

    fn checkin(&self, mut conn: SmtpConnection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < self.max_idle {
            idle.push(Idle {
                conn,
                since: Instant::now(),
            });
        } else {
            drop(idle);
            let _ = conn.quit();
        }
    }

    /// Sends one message: MAIL, RCPT for each recipient, DATA, then the data in one write.
    pub fn send(&self, message: &Message) -> Result<()> {
        let data = String::from_utf8(message.formatted())
            .map_err(|_| AppError::mail_permanent("a message that is not UTF-8"))?;
        let mut conn = self.checkout()?;
        match transaction(&mut conn, message.envelope(), &data) {
            Ok(()) => {
                self.checkin(conn);
                Ok(())
            }
            Err(e) => {
                // As lettre does: a connection that saw an error is not reused.
                conn.abort();
                Err(e)
            }
        }
    }
}

impl Drop for SmtpPool {
    fn drop(&mut self) {
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(PoisonError::into_inner));
        for Idle { mut conn, .. } in idle {
            let _ = conn.quit();
        }
    }
}

fn transaction(conn: &mut SmtpConnection, envelope: &Envelope, data: &str) -> Result<()> {
    let mut parameters = Vec::new();
    let non_ascii_address = envelope
        .from()
        .into_iter()
        .chain(envelope.to())
        .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
    if non_ascii_address {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Err(AppError::mail_permanent(
                "an address is not ASCII and the server does not support SMTPUTF8",
            ));
        }
        parameters.push(MailParameter::SmtpUtfEight);
    }
    if !data.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err(AppError::mail_permanent(
                "the message is not ASCII and the server does not support 8BITMIME",
            ));
        }
        parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let step = |r: std::result::Result<_, SmtpError>| r.map(|_| ()).map_err(|e| mail_error(&e));
    step(conn.command(Mail::new(envelope.from().cloned(), parameters)))?;
    for to in envelope.to() {
        step(conn.command(Rcpt::new(to.clone(), Vec::new())))?;
    }
    step(conn.command(Data))?;
    step(conn.command(DataBlock(data)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_starting_with_a_dot_are_stuffed_and_the_block_is_terminated() {
        assert_eq!(dot_stuffed("a\r\n.b\r\n..\r\nc."), "a\r\n..b\r\n...\r\nc.");
        assert_eq!(dot_stuffed(".first"), "..first");
        assert_eq!(DataBlock("x\r\n.").to_string(), "x\r\n..\r\n.\r\n");
    }
}
