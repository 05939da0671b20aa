//! What the events of a streamed answer carry: the text of the answer as an
//! increment, as the text so far, or both, with steps before the answer on
//! some operations. Generated from the doc table's `events:` mark for the
//! output type of every streaming operation whose answer is text (the
//! `events` key of [`docs/apis/README.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/apis/README.md)).

/// An event of a streamed answer whose text grows.
///
/// A stream declares one or both of [`increment`](StreamEvent::increment)
/// (each event carries only its new piece) and
/// [`cumulative`](StreamEvent::cumulative) (each event carries the text so
/// far); the facade's `text_deltas()` turns either into the new pieces and
/// the text so far.
pub trait StreamEvent {
    /// This event's new piece of the answer's text, on a stream that sends
    /// increments.
    fn increment(&self) -> Option<&str> {
        None
    }

    /// The answer's text so far, on a stream that sends it cumulatively.
    fn cumulative(&self) -> Option<&str> {
        None
    }

    /// Whether this event is a step before the answer (a retrieval, a tool
    /// call): its text, if any, is not part of the answer.
    fn is_step(&self) -> bool {
        false
    }

    /// The kind the event names itself (`dataType`, `messageType`), on a
    /// stream with steps.
    fn kind(&self) -> Option<&str> {
        None
    }
}
