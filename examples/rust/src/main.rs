//! A SaStorage backend in Rust (standard library only) speaking the sa-storage-kit process
//! protocol 1 on stdin/stdout (docs/protocol.md). Check it with:
//!
//!     cargo build --release --manifest-path examples/rust/Cargo.toml
//!     npx sa-storage-kit check --exec examples/rust/target/release/sa-storage-example
//!
//! `sa-storage-example --vectors vectors.json` replays the kit's test vectors in process instead
//! (no Node needed: `npx sa-storage-kit vectors --out vectors.json` writes them).
//!
//! SA_EXAMPLE_BUG=incr-drops-ttl switches on a one-line bug (incr/decr make the key
//! persistent, as sa-token-rust's default incr does) that the kit reports as CTR-03.

mod json;

use json::Json;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::time::{SystemTime, UNIX_EPOCH};

const PROTOCOL: i64 = 1;
const MAX_TTL_MS: f64 = 1e15;

struct StorageError {
    kind: &'static str,
    message: String,
}

fn error(kind: &'static str, message: impl Into<String>) -> StorageError {
    StorageError { kind, message: message.into() }
}

type Result<T> = std::result::Result<T, StorageError>;

fn string_field<'a>(request: &'a Json, name: &str) -> Result<&'a str> {
    match request.get(name) {
        Some(Json::Str(s)) => Ok(s),
        _ => Err(error("SerializationError", format!("{name} must be a string"))),
    }
}

fn string_list(value: Option<&Json>, what: &str) -> Result<Vec<String>> {
    match value {
        Some(Json::Arr(items)) => items
            .iter()
            .map(|item| match item {
                Json::Str(s) => Ok(s.clone()),
                _ => Err(error("SerializationError", format!("each {what} must be a string"))),
            })
            .collect(),
        _ => Err(error("SerializationError", format!("{what}s must be an array"))),
    }
}

/// None: persistent (when allowed). A TTL is a number in (0, 1e15] ms; fractions round up.
fn ttl_field(request: &Json, required: bool) -> Result<Option<f64>> {
    match request.get("ttl") {
        None | Some(Json::Null) if !required => Ok(None),
        Some(ttl) if ttl.as_f64().is_some_and(|n| n.is_finite() && n > 0.0 && n <= MAX_TTL_MS) => {
            Ok(ttl.as_f64().map(f64::ceil))
        }
        other => Err(error(
            "OperationFailed",
            format!("ttl must be a number of milliseconds in (0, 1e15], got {}", other.map(Json::to_string).unwrap_or("nothing".into())),
        )),
    }
}

/// A canonical signed 64-bit decimal (Redis's INCR syntax), or None.
fn canonical_i64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let canonical = s == "0"
        || (!digits.is_empty()
            && digits.len() <= 19
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0'));
    if canonical { s.parse::<i64>().ok() } else { None }
}

// --- Redis KEYS glob on UTF-8 bytes: a port of stringmatchlen (Redis 7.0 src/util.c) ---------

fn signed(b: u8) -> i32 {
    b as i8 as i32
}

fn glob_bytes(p: &[u8], mut pi: usize, s: &[u8], mut si: usize, skip_longer: &mut bool, nesting: u32) -> bool {
    if nesting > 1000 {
        return false;
    }
    let plen = p.len();
    let at = |i: usize| if i < plen { p[i] } else { 0 }; // C reads the NUL terminator past the end
    while pi < plen && si < s.len() {
        let c = p[pi];
        if c == b'*' {
            while pi < plen && at(pi + 1) == b'*' {
                pi += 1;
            }
            if plen - pi == 1 {
                return true;
            }
            while si < s.len() {
                if glob_bytes(p, pi + 1, s, si, skip_longer, nesting + 1) {
                    return true;
                }
                if *skip_longer {
                    return false;
                }
                si += 1;
            }
            *skip_longer = true;
            return false;
        } else if c == b'?' {
            si += 1;
        } else if c == b'[' {
            pi += 1;
            let negate = at(pi) == b'^';
            if negate {
                pi += 1;
            }
            let k = s[si];
            let mut matched = false;
            loop {
                if at(pi) == b'\\' && plen - pi >= 2 {
                    pi += 1;
                    if at(pi) == k {
                        matched = true;
                    }
                } else if at(pi) == b']' {
                    break;
                } else if pi >= plen {
                    pi -= 1;
                    break;
                } else if plen - pi >= 3 && at(pi + 1) == b'-' {
                    let (mut lo, mut hi) = (signed(at(pi)), signed(at(pi + 2)));
                    if lo > hi {
                        std::mem::swap(&mut lo, &mut hi);
                    }
                    pi += 2;
                    if signed(k) >= lo && signed(k) <= hi {
                        matched = true;
                    }
                } else if at(pi) == k {
                    matched = true;
                }
                pi += 1;
            }
            if negate {
                matched = !matched;
            }
            if !matched {
                return false;
            }
            si += 1;
        } else {
            if c == b'\\' && plen - pi >= 2 {
                pi += 1;
            }
            if at(pi) != s[si] {
                return false;
            }
            si += 1;
        }
        pi += 1;
        if si == s.len() {
            while at(pi) == b'*' {
                pi += 1;
            }
            break;
        }
    }
    pi >= plen && si == s.len()
}

fn glob_matches(pattern: &str, key: &str) -> bool {
    if pattern.bytes().all(|b| b == b'*') {
        // Only stars: every key, the empty key included; the empty pattern matches only "".
        return !pattern.is_empty() || key.is_empty();
    }
    !key.is_empty() && glob_bytes(pattern.as_bytes(), 0, key.as_bytes(), 0, &mut false, 0)
}

// --- One store -----------------------------------------------------------------------------

struct Entry {
    value: String,
    /// Absolute deadline in ms; live while now <= deadline. None: persistent.
    deadline: Option<f64>,
}

#[derive(Default)]
struct Store {
    entries: HashMap<String, Entry>,
}

impl Store {
    fn live(&mut self, key: &str, now: f64) -> Option<&mut Entry> {
        let expired = matches!(self.entries.get(key), Some(Entry { deadline: Some(d), .. }) if now > *d);
        if expired {
            self.entries.remove(key);
        }
        self.entries.get_mut(key)
    }

    fn step(&mut self, key: &str, delta: i64, now: f64) -> Result<Json> {
        let bug = std::env::var("SA_EXAMPLE_BUG").map_or(false, |v| v == "incr-drops-ttl");
        let (current, deadline) = match self.live(key, now) {
            None => (0, None),
            Some(entry) => match canonical_i64(&entry.value) {
                Some(n) => (n, entry.deadline),
                None => return Err(error("SerializationError", format!("value of {key:?} is not a canonical 64-bit integer"))),
            },
        };
        let next = current
            .checked_add(delta)
            .ok_or_else(|| error("OperationFailed", format!("counter {key:?} would overflow 64 bits")))?;
        let deadline = if bug { None } else { deadline };
        self.entries.insert(key.to_string(), Entry { value: next.to_string(), deadline });
        Ok(Json::Int(next))
    }

    fn run(&mut self, op: &str, request: &Json, now: f64) -> Result<Json> {
        let value_of = |entry: Option<&mut Entry>| entry.map_or(Json::Null, |e| Json::Str(e.value.clone()));
        match op {
            "get" => Ok(value_of(self.live(string_field(request, "key")?, now))),
            "set" => {
                let key = string_field(request, "key")?;
                let value = string_field(request, "value")?.to_string();
                let ttl = ttl_field(request, false)?;
                self.entries.insert(key.to_string(), Entry { value, deadline: ttl.map(|t| now + t) });
                Ok(Json::Null)
            }
            "delete" => {
                self.entries.remove(string_field(request, "key")?);
                Ok(Json::Null)
            }
            "exists" => Ok(Json::Bool(self.live(string_field(request, "key")?, now).is_some())),
            "expire" => {
                let key = string_field(request, "key")?;
                let ttl = ttl_field(request, true)?.unwrap_or(0.0);
                if let Some(entry) = self.live(key, now) {
                    entry.deadline = Some(now + ttl);
                }
                Ok(Json::Null)
            }
            "ttl" => Ok(match self.live(string_field(request, "key")?, now) {
                Some(Entry { deadline: Some(d), .. }) => Json::Num(*d - now),
                _ => Json::Null,
            }),
            "clear" => {
                self.entries.clear();
                Ok(Json::Null)
            }
            "mget" => {
                let keys = string_list(request.get("keys"), "key")?;
                Ok(Json::Arr(keys.iter().map(|k| value_of(self.live(k, now))).collect()))
            }
            "mset" => {
                let mut items = Vec::new();
                match request.get("items") {
                    Some(Json::Arr(list)) => {
                        for item in list {
                            match item {
                                Json::Arr(pair) if pair.len() == 2 => match (&pair[0], &pair[1]) {
                                    (Json::Str(k), Json::Str(v)) => items.push((k.clone(), v.clone())),
                                    _ => return Err(error("SerializationError", "mset keys and values must be strings")),
                                },
                                _ => return Err(error("SerializationError", "each mset item must be a [key, value] pair")),
                            }
                        }
                    }
                    _ => return Err(error("SerializationError", "items must be an array")),
                }
                let ttl = ttl_field(request, false)?;
                for (key, value) in items {
                    self.entries.insert(key, Entry { value, deadline: ttl.map(|t| now + t) });
                }
                Ok(Json::Null)
            }
            "mdel" => {
                for key in string_list(request.get("keys"), "key")? {
                    self.entries.remove(&key);
                }
                Ok(Json::Null)
            }
            "incr" => self.step(string_field(request, "key")?, 1, now),
            "decr" => self.step(string_field(request, "key")?, -1, now),
            "keys" => {
                let pattern = string_field(request, "pattern")?;
                self.entries.retain(|_, e| e.deadline.map_or(true, |d| now <= d));
                Ok(Json::Arr(
                    self.entries.keys().filter(|k| glob_matches(pattern, k)).map(|k| Json::Str(k.clone())).collect(),
                ))
            }
            _ => Err(error("InternalError", format!("unknown op {op:?}"))),
        }
    }
}

/// Stores opened for one namespace share their data, until the last one is closed.
#[derive(Default)]
struct Server {
    namespaces: HashMap<String, (Store, usize)>,
    handles: HashMap<String, String>,
    next_handle: u64,
}

impl Server {
    fn handle(&mut self, request: &Json) -> Result<Json> {
        let op = match request.get("op") {
            Some(Json::Str(op)) => op.as_str(),
            _ => return Err(error("InternalError", "request without an op")),
        };
        match op {
            "hello" => Ok(Json::Obj(vec![
                ("protocol".into(), Json::Int(PROTOCOL)),
                ("name".into(), Json::Str("rust example".into())),
            ])),
            "open" => {
                let namespace = string_field(request, "namespace")?.to_string();
                self.namespaces.entry(namespace.clone()).or_default().1 += 1;
                self.next_handle += 1;
                let handle = format!("h{}", self.next_handle);
                self.handles.insert(handle.clone(), namespace);
                Ok(Json::Str(handle))
            }
            "close" => {
                if let Some(namespace) = self.handles.remove(string_field(request, "store")?) {
                    let shared = self.namespaces.get_mut(&namespace).expect("open namespace");
                    shared.1 -= 1;
                    if shared.1 == 0 {
                        self.namespaces.remove(&namespace);
                    }
                }
                Ok(Json::Null)
            }
            _ => {
                let handle = string_field(request, "store")?;
                let namespace = self.handles.get(handle).ok_or_else(|| error("InternalError", format!("unknown store {handle:?}")))?;
                let now = match request.get("now").and_then(Json::as_f64) {
                    Some(n) => n,
                    None => SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_millis() as f64),
                };
                let store = &mut self.namespaces.get_mut(namespace).expect("open namespace").0;
                store.run(op, request, now)
            }
        }
    }
}

/// `--vectors FILE`: replays sa-storage-kit test vectors against this backend, in process.
fn replay_vectors(path: &str) -> i32 {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{path}: {e}");
            return 2;
        }
    };
    let vectors = match json::parse(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{path}: {e}");
            return 2;
        }
    };
    let (mut failed, mut steps) = (0, 0);
    let no_cases = Vec::new();
    let cases = match vectors.get("cases") {
        Some(Json::Arr(cases)) => cases,
        _ => &no_cases,
    };
    for case in cases {
        let mut server = Server::default();
        let mut handles = Vec::new();
        if let Some(Json::Arr(stores)) = case.get("stores") {
            for namespace in stores {
                let open = Json::Obj(vec![("op".into(), Json::Str("open".into())), ("namespace".into(), namespace.clone())]);
                handles.push(server.handle(&open).unwrap_or(Json::Null));
            }
        }
        let mut mismatches = Vec::new();
        let Some(Json::Arr(case_steps)) = case.get("steps") else { continue };
        for (index, step) in case_steps.iter().enumerate() {
            steps += 1;
            let Some(Json::Obj(fields)) = step.get("request") else { continue };
            let mut fields = fields.clone();
            let store = step.get("store").and_then(Json::as_f64).unwrap_or(0.0) as usize;
            fields.push(("store".into(), handles.get(store).cloned().unwrap_or(Json::Null)));
            let expect = step.get("expect").cloned().unwrap_or(Json::Null);
            let unordered = matches!(expect.get("unordered"), Some(Json::Bool(true)));
            let got = match server.handle(&Json::Obj(fields)) {
                Ok(Json::Arr(mut keys)) if unordered => {
                    keys.sort_by(|a, b| a.to_string().cmp(&b.to_string()));
                    Json::Obj(vec![("result".into(), Json::Arr(keys)), ("unordered".into(), Json::Bool(true))])
                }
                Ok(result) => Json::Obj(vec![("result".into(), result)]),
                Err(e) => Json::Obj(vec![("error".into(), Json::Str(e.kind.into()))]),
            };
            let expect = match (unordered, expect.get("result")) {
                (true, Some(Json::Arr(keys))) => {
                    let mut keys = keys.clone();
                    keys.sort_by(|a, b| a.to_string().cmp(&b.to_string()));
                    Json::Obj(vec![("result".into(), Json::Arr(keys)), ("unordered".into(), Json::Bool(true))])
                }
                _ => expect,
            };
            if !got.same(&expect) {
                let shown: String = step.get("request").map(Json::to_string).unwrap_or_default().chars().take(160).collect();
                mismatches.push(format!("step {index} {shown}: expected {expect}, got {got}"));
            }
        }
        if !mismatches.is_empty() {
            failed += 1;
            let rule = case.get("rule").map(Json::to_string).unwrap_or_default();
            println!("FAIL {rule}");
            for line in mismatches.iter().take(3) {
                println!("  {}", line.chars().take(400).collect::<String>());
            }
        }
    }
    if failed == 0 {
        println!("{} cases, {steps} steps: every answer agrees", cases.len());
        0
    } else {
        println!("{} cases, {steps} steps: {failed} case(s) disagree", cases.len());
        1
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "--vectors" {
        std::process::exit(replay_vectors(&args[2]));
    }
    let mut server = Server::default();
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut output = BufWriter::new(std::io::stdout().lock());
    eprintln!("rust example backend: ready");
    let mut line = String::new();
    loop {
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("stdin: {e}");
                break;
            }
        }
        if line.trim().is_empty() {
            continue;
        }
        let request = match json::parse(&line) {
            Ok(request) => request,
            Err(e) => {
                eprintln!("ignored a request that is not JSON ({e})");
                continue;
            }
        };
        let id = request.get("id").cloned().unwrap_or(Json::Null);
        let response = match server.handle(&request) {
            Ok(result) => Json::Obj(vec![("id".into(), id), ("result".into(), result)]),
            Err(e) => Json::Obj(vec![
                ("id".into(), id),
                ("error".into(), Json::Obj(vec![("kind".into(), Json::Str(e.kind.into())), ("message".into(), Json::Str(e.message))])),
            ]),
        };
        let mut text = response.to_string();
        text.push('\n');
        if output.write_all(text.as_bytes()).is_err() {
            break;
        }
        // Answers of one burst of requests go out in one write.
        if input.buffer().is_empty() && output.flush().is_err() {
            break;
        }
    }
}
