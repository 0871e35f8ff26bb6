//! A minimal SMTP server on loopback for the mail tests: it speaks just enough of RFC 5321
//! (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no AUTH) to accept what lettre sends,
//! and hands each message to the test as it arrives.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The message (headers and body) with CRLFs, dot-stuffing undone.
    pub data: String,
}

impl Received {
    /// The body as a mail client shows it: what follows the first empty line, decoded per its
    /// Content-Transfer-Encoding (lettre picks base64 or 8bit by content).
    pub fn body(&self) -> String {
        let raw = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        match self.header("Content-Transfer-Encoding").as_deref() {
            Some("base64") => {
                use base64::Engine;
                let joined: String = raw.split_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD.decode(joined).expect("base64 body");
                String::from_utf8(bytes).expect("utf-8 body")
            }
            Some("quoted-printable") => quoted_printable(raw),
            Some("7bit" | "8bit") | None => raw.to_owned(),
            Some(other) => panic!("the sink does not decode {other}"),
        }
    }

    /// A header's value (the first of that name), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split_once("\r\n\r\n").map_or(self.data.as_str(), |(h, _)| h);
        // Long headers continue on lines that start with white space (RFC 5322 folding).
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|l| {
            l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned())
        })
    }
}

/// The running server; stops with the test's runtime.
pub struct SmtpSink {
    /// Its port on 127.0.0.1.
    pub port: u16,
    received: Mutex<mpsc::UnboundedReceiver<Received>>,
}

impl SmtpSink {
    pub async fn start() -> Arc<SmtpSink> {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the SMTP sink");
        let port = listener.local_addr().expect("addr").port();
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let tx = tx.clone();
                tokio::spawn(async move {
                    let _ = session(socket, tx).await;
                });
            }
        });
        Arc::new(SmtpSink { port, received: Mutex::new(rx) })
    }

    /// `[mail.smtp]` for a daemon delivering here.
    pub fn config(&self) -> String {
        format!(
            "[mail.smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"Cairn <cairn@example.test>\"\ntimeout_secs = 5\n",
            self.port
        )
    }

    /// The next message, waiting up to 20 s for it.
    pub async fn next(&self) -> Received {
        let mut rx = self.received.lock().await;
        tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("a mail within 20 s")
            .expect("the sink is running")
    }

    /// The next message to `to`, skipping others.
    pub async fn next_to(&self, to: &str) -> Received {
        loop {
            let m = self.next().await;
            if m.to.iter().any(|t| t == to) {
                return m;
            }
        }
    }
}

async fn session(socket: tokio::net::TcpStream, tx: mpsc::UnboundedSender<Received>) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_owned();
        let upper = cmd.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 ok\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&cmd["MAIL FROM:".len()..]);
            to.clear();
            b"250 ok\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&cmd["RCPT TO:".len()..]));
            b"250 ok\r\n"
        } else if upper == "RSET" {
            from.clear();
            to.clear();
            b"250 ok\r\n"
        } else if upper == "DATA" {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let _ = tx.send(Received { from: from.clone(), to: std::mem::take(&mut to), data });
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

/// `<a@b> SIZE=…` → `a@b`.
fn address(arg: &str) -> String {
    let arg = arg.trim();
    match (arg.find('<'), arg.find('>')) {
        (Some(s), Some(e)) if s < e => arg[s + 1..e].to_owned(),
        _ => arg.split_whitespace().next().unwrap_or("").to_owned(),
    }
}

/// RFC 2045 quoted-printable: `=` at a line's end joins it to the next; `=XX` is a byte.
fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("utf-8 body")
}
