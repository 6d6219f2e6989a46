//! A small SMTP server for the tests: a `std::net::TcpListener` on 127.0.0.1 with a thread
//! per connection, speaking enough SMTP (EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP,
//! QUIT) for lettre to deliver to it. It keeps every message it accepted (answered 250),
//! and can refuse the next K messages with 451 after their DATA, refuse chosen recipients
//! with 550, drop the connection instead of answering a message, or take its time.
//!
//! `Mail` reads a message (received here, or an `.eml` file): headers, the decoded text
//! and HTML parts, and the survey link in it.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One message as sent: envelope and raw data.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub raw: String,
}

#[derive(Default)]
struct Behaviour {
    /// Messages still to refuse with 451 once their data is in.
    refuse_next: usize,
    /// Messages still to answer by closing the connection instead.
    drop_next: usize,
    /// Recipients refused at RCPT TO with 550.
    reject: Vec<String>,
    /// Pause before accepting each message.
    delay: Duration,
}

#[derive(Default)]
struct Shared {
    behaviour: Behaviour,
    accepted: Vec<Mail>,
    refused: usize,
    dropped: usize,
    connections: usize,
}

/// The running server; it stops when dropped.
pub struct SmtpServer {
    pub port: u16,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the test SMTP server");
        let port = listener.local_addr().expect("local address").port();
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let shared = Arc::new(Mutex::new(Shared::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (shared, stop) = (shared.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            shared.lock().unwrap().connections += 1;
                            let (shared, stop) = (shared.clone(), stop.clone());
                            std::thread::spawn(move || {
                                // A client that goes away mid-conversation is not an error here.
                                let _ = serve(stream, &shared, &stop);
                            });
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(e) => panic!("test SMTP server: accept failed: {e}"),
                    }
                }
            })
        };
        SmtpServer {
            port,
            shared,
            stop,
            thread: Some(thread),
        }
    }

    /// Answers the next `k` messages with `451` after their data.
    pub fn refuse_next(&self, k: usize) -> &Self {
        self.shared.lock().unwrap().behaviour.refuse_next = k;
        self
    }

    /// Closes the connection instead of answering the next `k` messages.
    pub fn drop_next(&self, k: usize) -> &Self {
        self.shared.lock().unwrap().behaviour.drop_next = k;
        self
    }

    /// Refuses this recipient with `550 5.1.1`.
    pub fn reject_recipient(&self, address: &str) -> &Self {
        self.shared
            .lock()
            .unwrap()
            .behaviour
            .reject
            .push(address.to_lowercase());
        self
    }

    /// Waits this long before accepting each message.
    pub fn delay_each(&self, delay: Duration) -> &Self {
        self.shared.lock().unwrap().behaviour.delay = delay;
        self
    }

    /// Every message accepted so far, in order.
    pub fn received(&self) -> Vec<Mail> {
        self.shared.lock().unwrap().accepted.clone()
    }

    /// Messages refused with 451 so far.
    pub fn refused(&self) -> usize {
        self.shared.lock().unwrap().refused
    }

    /// Connections dropped instead of answering so far.
    pub fn dropped(&self) -> usize {
        self.shared.lock().unwrap().dropped
    }

    /// Connections opened so far.
    pub fn connections(&self) -> usize {
        self.shared.lock().unwrap().connections
    }

    /// Waits until at least `n` messages were accepted; panics after `timeout`.
    #[track_caller]
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Mail> {
        let start = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            assert!(
                start.elapsed() < timeout,
                "the SMTP server got {} message(s) in {timeout:?}, expected {n}",
                received.len()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `settings` pointed at this server (plain SMTP, no TLS).
    pub fn settings(&self, settings: rind::Settings) -> rind::Settings {
        rind::Settings {
            smtp_host: Some("127.0.0.1".into()),
            smtp_port: Some(self.port),
            smtp_tls: rind::config::SmtpTls::None,
            smtp_timeout_secs: 5,
            ..settings
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, shared: &Mutex<Shared>, stop: &AtomicBool) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut reply = |text: &str| writer.write_all(format!("{text}\r\n").as_bytes());
    reply("220 rind-test ESMTP ready")?;
    let mut from = String::new();
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                if stop.load(Ordering::Relaxed) {
                    return Ok(());
                }
                continue;
            }
            Err(e) => return Err(e),
        }
        let command = line.trim_end();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            reply("250-rind-test")?;
            reply("250 8BITMIME")?;
        } else if upper.starts_with("HELO") {
            reply("250 rind-test")?;
        } else if upper.starts_with("MAIL FROM:") {
            from = address_in(command);
            to.clear();
            reply("250 2.1.0 ok")?;
        } else if upper.starts_with("RCPT TO:") {
            let address = address_in(command);
            let rejected = shared
                .lock()
                .unwrap()
                .behaviour
                .reject
                .contains(&address.to_lowercase());
            if rejected {
                reply(&format!("550 5.1.1 <{address}>: no such user here"))?;
            } else {
                to.push(address);
                reply("250 2.1.5 ok")?;
            }
        } else if upper == "DATA" {
            if to.is_empty() {
                reply("503 5.5.1 no valid recipients")?;
                continue;
            }
            reply("354 end data with <CR><LF>.<CR><LF>")?;
            let raw = read_data(&mut reader, stop)?;
            let (drop_it, refuse, delay) = {
                let mut s = shared.lock().unwrap();
                let b = &mut s.behaviour;
                let drop_it = b.drop_next > 0;
                let refuse = !drop_it && b.refuse_next > 0;
                if drop_it {
                    b.drop_next -= 1;
                    s.dropped += 1;
                } else if refuse {
                    b.refuse_next -= 1;
                    s.refused += 1;
                }
                (drop_it, refuse, s.behaviour.delay)
            };
            if drop_it {
                return Ok(());
            }
            if refuse {
                reply("451 4.3.0 temporarily unable to accept mail, try again later")?;
            } else {
                std::thread::sleep(delay);
                shared.lock().unwrap().accepted.push(Mail {
                    from: from.clone(),
                    to: to.clone(),
                    raw,
                });
                reply("250 2.0.0 queued")?;
            }
            to.clear();
        } else if upper == "RSET" {
            to.clear();
            reply("250 2.0.0 ok")?;
        } else if upper == "NOOP" {
            reply("250 2.0.0 ok")?;
        } else if upper == "QUIT" {
            reply("221 2.0.0 bye")?;
            return Ok(());
        } else {
            reply("502 5.5.2 command not recognised")?;
        }
    }
}

fn address_in(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command.rfind('>').unwrap_or(command.len());
    command.get(start..end).unwrap_or_default().to_string()
}

/// Reads message data up to the lone `.` line, undoing dot-stuffing.
fn read_data(reader: &mut BufReader<TcpStream>, stop: &AtomicBool) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "connection closed in DATA",
                ));
            }
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                if stop.load(Ordering::Relaxed) {
                    return Err(e);
                }
                continue;
            }
            Err(e) => return Err(e),
        }
        if line == ".\r\n" || line == ".\n" {
            return Ok(data);
        }
        data.push_str(line.strip_prefix('.').unwrap_or(&line));
    }
}

// ---------------------------------------------------------------------------------------
// Reading messages
// ---------------------------------------------------------------------------------------

impl Mail {
    /// A message read from a file (an `.eml` written by rind's folder transport).
    pub fn from_file(path: &std::path::Path) -> Mail {
        let raw = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        Mail {
            from: String::new(),
            to: Vec::new(),
            raw,
        }
    }

    /// The (unfolded) value of a top-level header.
    pub fn header(&self, name: &str) -> Option<String> {
        header_in(head(&self.raw), name)
    }

    /// The decoded text/plain part.
    pub fn text(&self) -> String {
        self.part("text/plain")
            .unwrap_or_else(|| panic!("no text/plain part in:\n{}", self.raw))
    }

    /// The decoded text/html part.
    pub fn html(&self) -> String {
        self.part("text/html")
            .unwrap_or_else(|| panic!("no text/html part in:\n{}", self.raw))
    }

    /// The survey link in the text part: `(base, path)`, e.g. (`https://x`, `/s/TOKEN`).
    pub fn survey_path(&self, base: &str) -> String {
        let text = self.text();
        let start = text
            .find(&format!("{base}/s/"))
            .unwrap_or_else(|| panic!("no link under {base} in:\n{text}"));
        let rest = &text[start + base.len()..];
        let end = rest[3..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .map_or(rest.len(), |i| i + 3);
        rest[..end].to_string()
    }

    fn part(&self, content_type: &str) -> Option<String> {
        let mut search = self.raw.as_str();
        while let Some(at) = search.to_ascii_lowercase().find("content-type: ") {
            let part = &search[at..];
            let (headers, body) = part.split_once("\r\n\r\n")?;
            if headers
                .to_ascii_lowercase()
                .starts_with(&format!("content-type: {content_type}"))
            {
                let body = body.split("\r\n--").next().unwrap_or(body);
                let qp = headers
                    .to_ascii_lowercase()
                    .contains("content-transfer-encoding: quoted-printable");
                return Some(if qp {
                    decode_quoted_printable(body)
                } else {
                    body.to_string()
                });
            }
            search = &search[at + 14..];
        }
        None
    }
}

fn head(raw: &str) -> &str {
    raw.split("\r\n\r\n").next().unwrap_or(raw)
}

fn header_in(head: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in head.split("\r\n") {
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

/// Quoted-printable to text: soft line breaks joined, `=XX` decoded.
pub fn decode_quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let Some(Ok(b)) = joined.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
