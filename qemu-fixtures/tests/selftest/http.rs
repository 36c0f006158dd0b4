//! A small HTTP/1.1 server on 127.0.0.1 for the asset tests: it serves
//! what each test routes, counts and times the requests per path, and stops
//! when dropped; every route ends by itself, bounded in bytes and time.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the server answers for one path.
#[derive(Clone)]
pub enum Route {
    /// 200 with the body.
    Body(Vec<u8>),
    /// The status, with an empty body.
    Status(u16),
    /// Claims the body's full length, sends `sent` bytes of it, closes.
    Truncated { body: Vec<u8>, sent: usize },
    /// 200 with the body, sent in 16 pieces `pause` apart.
    Slow { body: Vec<u8>, pause: Duration },
    /// The first request gets a few bytes then silence for `hang`; the
    /// next ones get the whole body at once.
    HangFirst { body: Vec<u8>, hang: Duration },
    /// 200 with the body's Content-Length, one byte every `interval`.
    Drip { body: Vec<u8>, interval: Duration },
    /// 200 without Content-Length, bytes until the client hangs up or
    /// `ENDLESS_CAP` bytes have gone.
    Endless,
    /// 200 announcing `announced` bytes, then sending the whole body.
    Longer { body: Vec<u8>, announced: usize },
    /// 302 to `location` (a path of this server).
    Redirect(String),
}

/// Where an "endless" body ends anyway, so that a broken client cannot keep
/// the server writing for ever.
pub const ENDLESS_CAP: usize = 256 << 20;

pub struct Server {
    port: u16,
    hits: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub fn start(routes: Vec<(&str, Route)>) -> Server {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let routes: Arc<HashMap<String, Route>> = Arc::new(
            routes
                .into_iter()
                .map(|(path, route)| (path.to_owned(), route))
                .collect(),
        );
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let stop = Arc::new(AtomicBool::new(false));
        {
            let (hits, stop) = (hits.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (routes, hits) = (routes.clone(), hits.clone());
                    std::thread::spawn(move || serve(stream, &routes, &hits));
                }
            });
        }
        Server { port, hits, stop }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// How many requests asked for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.hit_times(path).len()
    }

    /// When each request for `path` arrived, in order.
    pub fn hit_times(&self, path: &str) -> Vec<Instant> {
        self.hits
            .lock()
            .unwrap()
            .get(path)
            .cloned()
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
    }
}

/// A URL on a port where nothing listens.
pub fn refused_url() -> String {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding 127.0.0.1");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/nothing-listens-here")
}

fn serve(
    stream: TcpStream,
    routes: &HashMap<String, Route>,
    hits: &Mutex<HashMap<String, Vec<Instant>>>,
) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Skip the headers.
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    let hit = {
        let mut hits = hits.lock().unwrap();
        let times = hits.entry(path.clone()).or_default();
        times.push(Instant::now());
        times.len()
    };
    let mut stream = stream;
    let head = |status: u16, length: usize| {
        format!("HTTP/1.1 {status} X\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n")
    };
    let _ = match routes.get(&path) {
        None => stream.write_all(head(404, 0).as_bytes()),
        Some(Route::Status(status)) => stream.write_all(head(*status, 0).as_bytes()),
        Some(Route::Body(body)) => stream
            .write_all(head(200, body.len()).as_bytes())
            .and_then(|()| stream.write_all(body)),
        Some(Route::Truncated { body, sent }) => stream
            .write_all(head(200, body.len()).as_bytes())
            .and_then(|()| stream.write_all(&body[..*sent])),
        Some(Route::Slow { body, pause }) => {
            let result = stream.write_all(head(200, body.len()).as_bytes());
            for piece in body.chunks(body.len().div_ceil(16).max(1)) {
                std::thread::sleep(*pause);
                if stream.write_all(piece).is_err() {
                    break;
                }
            }
            result
        }
        Some(Route::HangFirst { body, hang }) if hit == 1 => {
            let result = stream
                .write_all(head(200, body.len()).as_bytes())
                .and_then(|()| stream.write_all(&body[..body.len().min(16)]));
            std::thread::sleep(*hang);
            result
        }
        Some(Route::HangFirst { body, .. }) => stream
            .write_all(head(200, body.len()).as_bytes())
            .and_then(|()| stream.write_all(body)),
        Some(Route::Drip { body, interval }) => {
            let result = stream.write_all(head(200, body.len()).as_bytes());
            for byte in body {
                std::thread::sleep(*interval);
                if stream.write_all(&[*byte]).is_err() {
                    break;
                }
            }
            result
        }
        Some(Route::Endless) => {
            let result =
                stream.write_all(b"HTTP/1.1 200 X\r\nConnection: close\r\n\r\n".as_slice());
            let chunk = vec![0x5a; 64 * 1024];
            let mut sent = 0;
            while sent < ENDLESS_CAP && stream.write_all(&chunk).is_ok() {
                sent += chunk.len();
            }
            result
        }
        Some(Route::Longer { body, announced }) => stream
            .write_all(head(200, *announced).as_bytes())
            .and_then(|()| stream.write_all(body)),
        Some(Route::Redirect(location)) => stream.write_all(
            format!(
                "HTTP/1.1 302 X\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        ),
    };
    let _ = stream.flush();
}
