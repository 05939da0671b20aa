//! The fault matrix (`docs/RELIABILITY.md`): each fault the emulator injects,
//! through each real transport (reqwest, then hyper: the same cases), for an idempotent operation (DianJin
//! GetLibraryList) and a non-idempotent one (ContactCenterAI CreateTask)
//! where the difference matters. Each case asserts the exact outcome:
//! retried to success, or the typed error with its status, request id and
//! attempt count. Every call runs under a deadline, so a hang fails the test
//! instead of stalling it.

/// Through the default transport, reqwest.
mod over_reqwest {
    const HYPER: bool = false;
    include!("fault_matrix/cases.rs");
}

/// Through `HyperTransport`.
mod over_hyper {
    const HYPER: bool = true;
    include!("fault_matrix/cases.rs");
}
