//! The load generator of the HTTP benchmarks: a small HTTP/1.1 client over plain
//! `std::net::TcpStream` (keep-alive, one connection per client thread, `Nagle` off), and a
//! runner that drives N such clients at once and records the latency of every request.
//!
//! Why not reqwest: the load generator shares the machine's two cores with the server under
//! test, and every cycle it spends is one the server doesn't get. This client does no
//! more than write a request and read `Content-Length` (or chunked) bytes back, so what it
//! takes is small and the same for every route; the `/healthz` ceiling measured with it in
//! the same run shows what is left for the server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One keep-alive connection.
pub struct Client {
    host: String,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

/// One answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Client {
    /// Connects to `addr` (`127.0.0.1:PORT`).
    pub fn connect(addr: &str) -> std::io::Result<Client> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Client {
            host: addr.to_string(),
            reader: BufReader::with_capacity(64 * 1024, stream.try_clone()?),
            writer: stream,
        })
    }

    pub fn get(&mut self, path: &str, headers: &[(&str, &str)]) -> std::io::Result<Reply> {
        self.request("GET", path, headers, None)
    }

    pub fn post_form(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Reply> {
        self.request(
            "POST",
            path,
            headers,
            Some(("application/x-www-form-urlencoded", body)),
        )
    }

    /// Sends one request and reads its whole answer.
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> std::io::Result<Reply> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some((content_type, body)) = body {
            head.push_str(&format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        if let Some((_, body)) = body {
            out.extend_from_slice(body);
        }
        self.writer.write_all(&out)?;
        self.read_reply()
    }

    fn read_line(&mut self) -> std::io::Result<String> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        Ok(line.trim_end().to_string())
    }

    fn read_reply(&mut self) -> std::io::Result<Reply> {
        let status_line = self.read_line()?;
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {status_line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let line = self.read_line()?;
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let find = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v): &(String, String)| v.clone())
        };
        let mut body = Vec::new();
        if let Some(length) = find("content-length") {
            let length: usize = length
                .parse()
                .map_err(|_| std::io::Error::other("bad content-length"))?;
            body.resize(length, 0);
            self.reader.read_exact(&mut body)?;
        } else if find("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
            loop {
                let size = self.read_line()?;
                let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
                    .map_err(|_| std::io::Error::other("bad chunk size"))?;
                if size == 0 {
                    // Trailers, then the empty line.
                    while !self.read_line()?.is_empty() {}
                    break;
                }
                let start = body.len();
                body.resize(start + size, 0);
                self.reader.read_exact(&mut body[start..])?;
                self.read_line()?;
            }
        }
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

/// What a load run measured.
#[derive(Debug, Clone)]
pub struct Stats {
    pub requests: usize,
    pub seconds: f64,
    /// Latency of each operation, sorted, in milliseconds.
    pub latencies_ms: Vec<f64>,
}

impl Stats {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// The `p`-th percentile latency (nearest rank), in milliseconds.
    pub fn percentile(&self, p: f64) -> f64 {
        if self.latencies_ms.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.latencies_ms.len() as f64).ceil() as usize;
        self.latencies_ms[rank.clamp(1, self.latencies_ms.len()) - 1]
    }

    pub fn summary(&self) -> String {
        format!(
            "{} in {:.2} s = {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.requests,
            self.seconds,
            self.per_second(),
            self.percentile(50.0),
            self.percentile(99.0),
            self.latencies_ms.last().copied().unwrap_or(f64::NAN)
        )
    }
}

/// How long a run lasts.
#[derive(Debug, Clone, Copy)]
pub enum Until {
    /// Operations `0..n`, each once, shared among the clients.
    Count(usize),
    /// As many operations as fit in this time.
    Elapsed(Duration),
}

/// Runs `clients` threads, each with its own keep-alive connection to `addr`, doing
/// operations until `until`. `op(client, i)` does operation number `i` (its requests and
/// checks; it panics on a wrong answer) and is timed as one latency sample.
pub fn run<F>(addr: &str, clients: usize, until: Until, op: F) -> Stats
where
    F: Fn(&mut Client, usize) + Send + Sync + 'static,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let ready = Arc::new(std::sync::Barrier::new(clients + 1));
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (op, next, stop, ready) = (op.clone(), next.clone(), stop.clone(), ready.clone());
            let addr = addr.to_string();
            std::thread::spawn(move || {
                let mut client = Client::connect(&addr).expect("connect to the server");
                let mut latencies = Vec::new();
                ready.wait();
                loop {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if let Until::Count(n) = until
                        && i >= n
                    {
                        break;
                    }
                    let start = Instant::now();
                    op(&mut client, i);
                    latencies.push(start.elapsed().as_secs_f64() * 1000.0);
                }
                latencies
            })
        })
        .collect();
    ready.wait();
    let start = Instant::now();
    if let Until::Elapsed(d) = until {
        std::thread::sleep(d);
        stop.store(true, Ordering::Relaxed);
    }
    let mut latencies_ms: Vec<f64> = Vec::new();
    for t in threads {
        latencies_ms.extend(t.join().expect("a load client panicked"));
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies_ms.sort_by(f64::total_cmp);
    Stats {
        requests: latencies_ms.len(),
        seconds,
        latencies_ms,
    }
}

/// `application/x-www-form-urlencoded` encoding of one key or value.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Polls `GET /healthz` until it answers 200; panics after `timeout`.
pub fn wait_until_up(addr: &str, timeout: Duration) {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if let Ok(mut c) = Client::connect(addr)
            && let Ok(r) = c.get("/healthz", &[])
            && r.status == 200
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the server at {addr} did not come up in {timeout:?}");
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A `rind` process started by a benchmark; killed when dropped.
pub struct Process(pub std::process::Child);

impl Process {
    /// SIGTERM (a clean stop), then waits.
    pub fn terminate(mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `rind ARGS` (the benchmark's release build) in `dir` with a clean environment plus `env`.
pub fn rind(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rind"));
    cmd.args(args).current_dir(dir).env_remove("DATABASE_URL");
    for (key, _) in std::env::vars() {
        if key.starts_with("RIND_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}
