//! What the emulator remembers: tasks, issued tokens, used nonces, fault
//! rules and the QPS limiter.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// A fault the emulator can inject.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this status and the service's error body carrying `code`.
    Error {
        /// HTTP status.
        status: u16,
        /// The vendor error code (e.g. `CCAI.Throttling.Qps`).
        code: String,
    },
    /// Answer as the request's service throttles: its first documented
    /// throttling code, with its status (`ServiceInfo::errors`).
    Throttle,
    /// Wait this long before answering.
    Delay(Duration),
    /// Close the connection without answering.
    DropConnection,
    /// For a streamed answer: send this many events, then break the connection.
    TruncateStream(usize),
    /// Answer with exactly this (a proxy's HTML page, malformed JSON, an
    /// empty 200, a `Retry-After` header...), before authentication.
    Respond {
        /// HTTP status.
        status: u16,
        /// Headers, in order.
        headers: Vec<(String, String)>,
        /// The body, byte for byte (it need not be UTF-8).
        body: Vec<u8>,
    },
    /// Handle the request (its effects happen: a create creates), then answer
    /// this status and the service's error body carrying `code`, as a
    /// gateway does that gave up waiting for its backend (502, 504).
    ErrorAfterHandling {
        /// HTTP status.
        status: u16,
        /// The vendor error code.
        code: String,
    },
    /// Handle the request (its effects happen), send the headers and the
    /// first half of the body, then reset the connection.
    ResetMidBody,
    /// Handle the request, send the headers and the first half of the body,
    /// then send nothing more for 10 s (the connection held open), then reset.
    StallMidBody,
    /// A 200 of `content_type` whose body is `prefix` followed by `bytes`
    /// bytes of `filler`, streamed in 64 KiB chunks without ever being held
    /// (`b"data: "` and `b'a'` make one endless SSE line).
    Flood {
        /// The `Content-Type` header.
        content_type: String,
        /// The first bytes.
        prefix: Vec<u8>,
        /// The byte repeated after them.
        filler: u8,
        /// How many filler bytes.
        bytes: u64,
    },
}

impl Fault {
    /// Parses the `x-emulator-fault` header: `error:400:CCAI.Throttling.Qps`,
    /// `error-after:502:BadGateway` (after handling), `delay:500`
    /// (milliseconds), `drop`, `truncate:1`, `reset-body`, `stall-body`. (`Respond` and `Flood` are set through a [`FaultRule`].)
    pub fn parse(text: &str) -> Option<Fault> {
        let mut parts = text.trim().splitn(3, ':');
        match parts.next()? {
            "error" => Some(Fault::Error {
                status: parts.next()?.parse().ok()?,
                code: parts.next()?.to_owned(),
            }),
            "error-after" => Some(Fault::ErrorAfterHandling {
                status: parts.next()?.parse().ok()?,
                code: parts.next()?.to_owned(),
            }),
            "delay" => Some(Fault::Delay(Duration::from_millis(
                parts.next()?.parse().ok()?,
            ))),
            "drop" => Some(Fault::DropConnection),
            "throttle" => Some(Fault::Throttle),
            "truncate" => Some(Fault::TruncateStream(
                parts.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            )),
            "reset-body" => Some(Fault::ResetMidBody),
            "stall-body" => Some(Fault::StallMidBody),
            _ => None,
        }
    }
}

/// When to inject a fault: for which action (any when `None`), how many times
/// (forever when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// The action it applies to (`AnalyzeConversation`, `getTask`, ...).
    pub action: Option<String>,
    /// The fault.
    pub fault: Fault,
    /// How many requests it applies to.
    pub times: Option<u32>,
    /// Applies only to one matching request in every `period`: the one at
    /// `offset` (0-based) of each run of `period` ([`FaultRule::every`]).
    pub every: Option<(u64, u64)>,
    /// Matching requests seen so far (for `every`).
    pub seen: u64,
}

impl FaultRule {
    /// A fault for every request of `action`.
    pub fn for_action(action: impl Into<String>, fault: Fault) -> Self {
        Self {
            action: Some(action.into()),
            fault,
            times: None,
            every: None,
            seen: 0,
        }
    }

    /// A fault for every request.
    pub fn always(fault: Fault) -> Self {
        Self {
            action: None,
            fault,
            times: None,
            every: None,
            seen: 0,
        }
    }

    /// Only for the next `times` matching requests.
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// Only for one matching request in every `period`, the one at `offset`
    /// of each run (a steady, deterministic fault rate: `every(100, 7)` is
    /// 1% of requests). Rules that share requests should use different
    /// offsets; the first rule that applies wins.
    pub fn every(mut self, period: u64, offset: u64) -> Self {
        let period = period.max(1);
        self.every = Some((period, offset % period));
        self
    }
}

/// A CCAI offline task.
#[derive(Debug, Clone)]
pub struct CcaiTask {
    pub created: Instant,
    pub request: serde_json::Value,
}

/// A DashScope customer-profile task: the transcript as `(speaker, text)` lines.
#[derive(Debug, Clone)]
pub struct CustomerProfileTask {
    pub created: Instant,
    pub lines: Vec<(String, String)>,
    pub failure: Option<(String, String)>,
    pub identities: Vec<(String, String)>,
    pub extractions: Vec<(String, String, String)>,
}

/// A DianJin task (summary, PDF translation, quality check, dialog analysis):
/// running until the configured task delay has passed since `started`.
#[derive(Debug, Clone)]
pub struct DianJinTask {
    pub kind: &'static str,
    pub started: Instant,
    pub evicted: bool,
    pub request: serde_json::Value,
}

/// A DianJin image detection (`kind` `image`) or video creation (`video`)
/// task: `RUNNING` until the task delay has passed, then `SUCCESS`, or
/// `FAILED` with `failure`.
#[derive(Debug, Clone)]
pub struct MediaTask {
    pub kind: &'static str,
    pub started: Instant,
    pub request: serde_json::Value,
    pub failure: Option<String>,
}

/// A DianJin report task, registered when first asked about.
#[derive(Debug, Clone)]
pub struct ReportTask {
    pub started: Instant,
    pub fails: bool,
    pub retries: u64,
    pub created: SystemTime,
}

/// A Tingwu OpenAPI task (`type=offline` or `type=realtime`): `ONGOING`
/// until the configured task delay has passed since it was created (offline)
/// or stopped (`operation=stop`, realtime), then `COMPLETED`, or `FAILED`
/// with `failure`.
#[derive(Debug, Clone)]
pub struct TingwuTask {
    pub created: Instant,
    pub realtime: bool,
    pub stopped: Option<Instant>,
    pub failure: Option<(String, String)>,
    /// The CreateTask body (its `Parameters` say which documents exist).
    pub request: serde_json::Value,
    /// A live meeting's `mc`: the credential of its `MeetingJoinUrl`.
    pub meeting_code: Option<String>,
    /// How many ms of audio a live meeting's streams delivered (its
    /// transcript holds what they reached).
    pub heard_ms: u64,
}

/// An object uploaded through the emulated OSS PostObject: its size, digest
/// and first bytes (the body itself is never kept whole).
#[derive(Debug, Clone)]
pub struct StoredObject {
    pub size: u64,
    pub sha256: String,
    pub head: Vec<u8>,
}

#[derive(Default)]
pub struct State {
    pub ccai_tasks: HashMap<String, CcaiTask>,
    /// DianJin document libraries by id (the GetLibrary `data` shape).
    pub libraries: std::collections::BTreeMap<String, serde_json::Value>,
    /// DianJin documents by id (the GetDocumentList record shape).
    pub documents: std::collections::BTreeMap<String, serde_json::Value>,
    pub dianjin_tasks: HashMap<String, DianJinTask>,
    /// DianJin image detection and video creation tasks by id.
    pub media_tasks: HashMap<String, MediaTask>,
    /// DianJin report tasks by `workspace/scene/fund/outRequestNo`.
    pub report_tasks: HashMap<String, ReportTask>,
    /// DianJin redemption records, with their `workspace/tenant`, in order.
    pub redemptions: Vec<(String, serde_json::Value)>,
    /// CCAI vocabularies by id (the GetVocab `data` shape).
    pub vocabularies: std::collections::BTreeMap<String, serde_json::Value>,
    /// Objects uploaded to the emulated OSS bucket, by `bucket/key`.
    pub objects: HashMap<String, StoredObject>,
    /// The PostObject policies AuthorizeFileUpload issued, by policy.
    pub grants: HashMap<String, Grant>,
    pub customer_profile_tasks: HashMap<String, CustomerProfileTask>,
    pub tingwu_tasks: HashMap<String, TingwuTask>,
    /// Tingwu vocabularies (TranscriptionPhrases) by `PhraseId`.
    pub phrases: std::collections::BTreeMap<String, serde_json::Value>,
    pub tokens: HashMap<String, SystemTime>,
    faults: Vec<FaultRule>,
    /// Requests handed to a handler (their effects happened), by action.
    pub handled: HashMap<String, u64>,
    qps_window: HashMap<String, (Instant, u32)>,
    counter: u64,
}

/// The signature nonces seen in the last 15 minutes (the gateways refuse a
/// reused one): a set to look one up in O(1), and their arrival order to
/// forget them as they expire. Behind a lock of its own, not the state's.
#[derive(Default)]
pub(crate) struct Nonces {
    seen: HashSet<Arc<str>>,
    order: VecDeque<(Instant, Arc<str>)>,
}

impl Nonces {
    /// How long a nonce is remembered (the gateways' date window).
    const WINDOW: Duration = Duration::from_secs(900);

    /// Records `nonce` arriving at `now`; false when it was seen within the
    /// window before.
    pub(crate) fn fresh_at(&mut self, nonce: &str, now: Instant) -> bool {
        while let Some((at, old)) = self.order.front() {
            if now.saturating_duration_since(*at) <= Self::WINDOW {
                break;
            }
            self.seen.remove(old);
            self.order.pop_front();
        }
        if self.seen.contains(nonce) {
            return false;
        }
        let nonce: Arc<str> = Arc::from(nonce);
        self.seen.insert(nonce.clone());
        self.order.push_back((now, nonce));
        true
    }

    /// How many are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.seen.len()
    }
}

/// The state behind a mutex, with the operations the handlers need.
#[derive(Default)]
pub struct Shared(Mutex<State>, Mutex<Nonces>);

impl Shared {
    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        match self.0.lock() {
            Ok(mut state) => f(&mut state),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// A fresh, deterministic-looking id.
    pub fn next_id(&self, prefix: &str) -> String {
        self.with(|state| {
            state.counter += 1;
            format!("{prefix}{:08x}", state.counter)
        })
    }

    /// Records a nonce; false when it was seen in the last 15 minutes.
    pub fn fresh_nonce(&self, nonce: &str) -> bool {
        let mut nonces = self
            .1
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        nonces.fresh_at(nonce, Instant::now())
    }

    pub fn add_fault(&self, rule: FaultRule) {
        self.with(|state| state.faults.push(rule));
    }

    pub fn clear_faults(&self) {
        self.with(|state| state.faults.clear());
    }

    /// The fault to apply to a request of `action`, if any (consuming one use).
    pub fn take_fault(&self, action: &str) -> Option<Fault> {
        self.with(|state| {
            let mut chosen = None;
            for (index, rule) in state.faults.iter_mut().enumerate() {
                if rule.action.as_deref().is_some_and(|a| a != action) || rule.times == Some(0) {
                    continue;
                }
                let turn = rule.seen;
                rule.seen += 1;
                let applies = rule
                    .every
                    .is_none_or(|(period, offset)| turn % period == offset);
                if applies && chosen.is_none() {
                    chosen = Some(index);
                }
            }
            let rule = &mut state.faults[chosen?];
            if let Some(times) = &mut rule.times {
                *times -= 1;
            }
            Some(rule.fault.clone())
        })
    }

    /// Whether a request of `action` is over `limit` per second.
    pub fn over_qps(&self, action: &str, limit: u32) -> bool {
        self.with(|state| {
            let now = Instant::now();
            let window = state
                .qps_window
                .entry(action.to_owned())
                .or_insert((now, 0));
            if now.duration_since(window.0) >= Duration::from_secs(1) {
                *window = (now, 0);
            }
            window.1 += 1;
            window.1 > limit
        })
    }
}

/// What AuthorizeFileUpload issued: the signature of a policy and the key
/// prefix it allows.
#[derive(Debug, Clone)]
pub struct Grant {
    pub access_key_id: String,
    pub signature: String,
    pub key_prefix: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_refused_within_the_window_and_forgotten_after_it() {
        let mut nonces = Nonces::default();
        let start = Instant::now();
        assert!(nonces.fresh_at("a", start));
        assert!(nonces.fresh_at("b", start + Duration::from_secs(1)));
        assert!(!nonces.fresh_at("a", start + Duration::from_secs(899)));
        // Past the window, both are forgotten (and "a" is fresh again).
        assert!(nonces.fresh_at("a", start + Duration::from_secs(902)));
        assert_eq!(nonces.len(), 1);
    }
}

/// What every live real-time session (`realtime`) watches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SessionSignal {
    /// Each increment asks the sessions to send `RECONNECT`.
    pub(crate) reconnects: u64,
    /// The emulator is shutting down: the sessions close (1001).
    pub(crate) closing: bool,
}

/// The live real-time sessions' shared signal.
#[derive(Debug)]
pub(crate) struct Sessions {
    signal: tokio::sync::watch::Sender<SessionSignal>,
}

impl Default for Sessions {
    fn default() -> Self {
        Self {
            signal: tokio::sync::watch::channel(SessionSignal::default()).0,
        }
    }
}

impl Sessions {
    /// What a new session watches.
    pub(crate) fn subscribe(&self) -> tokio::sync::watch::Receiver<SessionSignal> {
        self.signal.subscribe()
    }

    /// Asks every live session to send `RECONNECT`.
    pub(crate) fn reconnect_all(&self) {
        self.signal.send_modify(|signal| signal.reconnects += 1);
    }

    /// Closes every live session (going away).
    pub(crate) fn close_all(&self) {
        self.signal.send_modify(|signal| signal.closing = true);
    }
}
