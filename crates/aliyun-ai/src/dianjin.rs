//! DianJin (通义点金): every operation of the 2024-06-28 API, one method each
//! (generated from the doc tables, `dianjin/operations.rs`).

pub use aliyun_ai_models_dianjin::*;

mod operations;

use crate::client::Client;

/// DianJin operations; from [`Client::dianjin`].
#[derive(Debug, Clone, Copy)]
pub struct DianJin<'a> {
    client: &'a Client,
}

impl Client {
    /// DianJin operations.
    pub fn dianjin(&self) -> DianJin<'_> {
        DianJin { client: self }
    }
}
