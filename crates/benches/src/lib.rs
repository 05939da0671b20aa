//! What the benchmarks share: deterministic inputs of realistic size, a
//! counting allocator, and the process's CPU time. See `docs/PERFORMANCE.md`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aliyun_ai_models_contactcenterai::{
    AnalyzeConversationRequest, Dialogue, ResultType, Role, Sentence,
};
use serde_json::{Value, json};

/// A dialogue of `turns` sentences, alternating customer and agent, about a
/// credit-card bill (deterministic).
pub fn dialogue(turns: usize) -> Dialogue {
    let sentences: Vec<Sentence> = (0..turns)
        .map(|i| {
            let (role, text) = if i % 2 == 0 {
                (
                    Role::User,
                    format!("第{i}句：我想确认一下这个月信用卡账单的还款日和最低还款额是多少？"),
                )
            } else {
                (
                    Role::Agent,
                    format!("第{i}句：您好，您的还款日是每月8号，最低还款额是账单金额的百分之十。"),
                )
            };
            Sentence::new(role, text)
        })
        .collect();
    Dialogue::builder()
        .sentences(sentences)
        .build()
        .expect("a dialogue with sentences")
}

/// The AnalyzeConversation request of the benchmark: a 20-sentence
/// dialogue, summary and keywords.
pub fn analyze_request() -> AnalyzeConversationRequest {
    AnalyzeConversationRequest::builder()
        .workspace_id("llm-bench")
        .app_id("app-bench")
        .dialogue(dialogue(20))
        .result_types([ResultType::Summary, ResultType::Keywords])
        .build()
        .expect("a valid request")
}

/// A two-hour GetTaskResult answer: `sentences` ASR sentences of 3.6 s each.
pub fn large_task_result(sentences: usize) -> String {
    let asr: Vec<Value> = (0..sentences)
        .map(|i| {
            json!({
                "begin": i * 3600,
                "end": i * 3600 + 3400,
                "emotionValue": (i % 10),
                "role": if i % 2 == 0 { "0" } else { "1" },
                "roleName": if i % 2 == 0 { "客户" } else { "客服" },
                "speechRate": 200 + (i % 80),
                "words": format!("第{i}句，您好，请问这笔账单的分期手续费是怎么计算的？"),
            })
        })
        .collect();
    json!({
        "data": {
            "taskId": "20240905-BENCH-93E9-5D45-B4EF-045743A34071",
            "taskStatus": "FINISH",
            "text": "客户咨询账单分期手续费，客服解释计算方式。",
            "taskErrorMessage": "",
            "asrResult": asr,
            "extra": "{\"roleConfig\":{\"role1Name\":\"客户\",\"role2Name\":\"客服\"}}",
        },
        "requestId": "9F1DB065-AE0D-5EE3-B1AF-48632CB0831C",
        "success": "True",
    })
    .to_string()
}

const WORDS: [&str; 8] = [
    "您好", "我想", "了解", "一下", "这款", "车的", "续航", "情况",
];

/// A Tingwu transcription of the same size: `sentences` sentences of 8 words
/// in paragraphs of 4 sentences.
pub fn large_transcription(sentences: usize) -> String {
    let paragraphs: Vec<Value> = (0..sentences.div_ceil(4))
        .map(|p| {
            let words: Vec<Value> = (0..32)
                .map(|w| {
                    let id = p * 32 + w;
                    let text = WORDS[w % WORDS.len()];
                    json!({
                        "id": id * 10,
                        "sentenceId": p * 4 + w / 8,
                        "start": id * 450,
                        "end": id * 450 + 400,
                        "text": text,
                    })
                })
                .collect();
            json!({"paragraphId": format!("1698742210027{p:07}"), "speakerId": (p % 2 + 1).to_string(), "words": words})
        })
        .collect();
    json!({"paragraphs": paragraphs}).to_string()
}

/// A streamed AnalyzeConversation answer of `events` events, as the vendor
/// sends it (cumulative text, `finishReason` on the last).
pub fn sse_stream(events: usize) -> Vec<u8> {
    let mut text = String::new();
    let mut out = String::new();
    for i in 0..events {
        text.push_str("客户询问还款日，");
        let last = i + 1 == events;
        let event = json!({"errorCode": "success", "errorInfo": "success",
            "finishReason": if last { Some("stop") } else { None },
            "requestId": "968A8634-FA2C-5381-9B3E-C552DED7E8BF", "success": true, "text": text});
        out.push_str(&format!("id:{}\nevent:result\ndata:{event}\n\n", i + 1));
    }
    out.into_bytes()
}

/// Allocations and bytes allocated since the process started, counted by
/// [`CountingAllocator`] when a benchmark installs it as the global allocator.
pub static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// Bytes requested from the allocator (see [`ALLOCATIONS`]).
pub static ALLOCATED_BYTES: AtomicU64 = AtomicU64::new(0);

/// The system allocator, counting every allocation (two relaxed atomic adds).
pub struct CountingAllocator;

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counters have no effect on the memory handed out.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED_BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED_BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: as for `alloc` and `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// The CPU time of every thread of this process so far, exact to the call
/// (`clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`); `None` where it is missing.
/// (`/proc/self/task/*/schedstat`, used before, lags up to a scheduler tick
/// for a thread that is running, which short measurements cannot afford.)
#[cfg(unix)]
pub fn process_cpu() -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable `timespec`; the call only writes it.
    #[allow(unsafe_code)]
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    (status == 0).then(|| {
        Duration::new(
            u64::try_from(now.tv_sec).unwrap_or(0),
            u32::try_from(now.tv_nsec).unwrap_or(0),
        )
    })
}

/// `None`: no process CPU clock here.
#[cfg(not(unix))]
pub fn process_cpu() -> Option<Duration> {
    None
}
