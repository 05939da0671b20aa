//! DianJin's entitlements, from the vendor's current SDK: ExchangeEntitlement
//! redeems a template for an external user (an API key with a quota),
//! QueryRedemptionRecords pages through the redemptions, QueryApiKeys lists
//! a user's keys (hashes only) and GetUsage their entitlements. Kept in
//! memory per workspace and tenant.
//!
//! The emulator's rules (its own choice, documented in EMULATOR.md): every
//! template grants 1,000,000 tokens of `qwen-plus`; a second redemption with
//! the same `requestId` answers the first again (`reused: true`), as does a
//! `keyHash` the user already holds; usage stays zero (the emulator serves
//! no model calls).

use serde_json::{Value, json};

use crate::call::Call;
use crate::handlers::table::{ErrorAnswer, Params};

const ACTIONS: &[&str] = &[
    "ExchangeEntitlement",
    "QueryRedemptionRecords",
    "QueryApiKeys",
    "GetUsage",
];

/// Every template's quota (the emulator's choice).
const QUOTA: i64 = 1_000_000;

pub(super) fn handles(action: &str) -> bool {
    ACTIONS.contains(&action)
}

/// The `(workspace, tenant)` the records belong to.
fn owner(call: &Call<'_>) -> String {
    let param = |name: &str| call.path_param(name).unwrap_or_default();
    format!("{}/{}", param("workspaceId"), param("tenantId"))
}

/// The redemption records of this tenant matching the request's filters.
fn records(call: &Call<'_>, request: &Params) -> Vec<Value> {
    let owner = owner(call);
    let user = request.text("externalUserId");
    let order = request.text("redemptionOrderNo");
    call.inner.state.with(|s| {
        s.redemptions
            .iter()
            .filter(|(o, _)| *o == owner)
            .map(|(_, record)| record)
            .filter(|r| user.is_none() || r["externalUserId"].as_str() == user.as_deref())
            .filter(|r| order.is_none() || r["redemptionOrderNo"].as_str() == order.as_deref())
            .cloned()
            .collect()
    })
}

/// A record as QueryRedemptionRecords answers it (without the emulator's
/// own keys).
fn public(record: &Value) -> Value {
    let mut record = record.clone();
    if let Some(map) = record.as_object_mut() {
        map.remove("externalUserId");
        map.remove("apiKey");
    }
    record
}

fn exchange(call: &Call<'_>, request: &Params, answer: &mut Value) {
    let owner = owner(call);
    let user = request.text("externalUserId").unwrap_or_default();
    let request_id = request.text("requestId").unwrap_or_default();
    let template_id = request.number("templateId").unwrap_or_default();
    let key_hash = request.text("keyHash");
    let tenant: i64 = call
        .path_param("tenantId")
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    let now = aliyun_ai_auth::time::format_iso8601(call.inner.now());
    let (record, reused) = call.inner.state.with(|s| {
        let mine = |r: &Value| r["externalUserId"].as_str() == Some(user.as_str());
        let earlier = s.redemptions.iter().find(|(o, r)| {
            *o == owner
                && mine(r)
                && (r["outBizNo"].as_str() == Some(request_id.as_str())
                    || key_hash
                        .as_deref()
                        .is_some_and(|k| r["keyHash"].as_str() == Some(k)))
        });
        if let Some((_, record)) = earlier {
            return (record.clone(), true);
        }
        let n = s.redemptions.len() + 1;
        let record = json!({
            "id": n, "redemptionOrderNo": format!("RO-{n:04}"), "outBizNo": request_id,
            "keyHash": format!("{:016x}", n * 7919), "templateId": template_id, "tenantId": tenant,
            "status": "SUCCESS", "quotaStatus": "NORMAL", "quotaBalance": QUOTA,
            "allowedModels": ["qwen-plus"], "effectiveAt": now, "expireAt": "2099-12-31T00:00:00Z",
            "gmtCreate": now, "externalUserId": user, "apiKey": format!("sk-emulator-{n:04}"),
        });
        s.redemptions.push((owner.clone(), record.clone()));
        (record, false)
    });
    answer["data"] = json!({
        "apiKey": record["apiKey"], "effectiveAt": record["effectiveAt"],
        "endpoint": format!("{}/{}", call.inner.base_url, "v1"),
        "expireAt": record["expireAt"], "keyHash": record["keyHash"],
        "redemptionOrderNo": record["redemptionOrderNo"], "reused": reused,
        "template": {"allowedModels": record["allowedModels"], "quotaLimit": QUOTA,
            "templateId": template_id, "templateName": format!("模板 {template_id}"), "type": "TOKEN"},
    });
}

pub(super) fn answer(
    call: &Call<'_>,
    request: &Params,
    mut answer: Value,
) -> Result<Value, ErrorAnswer> {
    match call.action.as_str() {
        "ExchangeEntitlement" => exchange(call, request, &mut answer),
        "QueryRedemptionRecords" => {
            let all = records(call, request);
            let page_size = request.number("pageSize").unwrap_or(10).clamp(1, 100);
            let page = request.number("page").unwrap_or(1).max(1);
            let total = all.len() as i64;
            let items: Vec<Value> = all
                .iter()
                .skip(((page - 1) * page_size) as usize)
                .take(page_size as usize)
                .map(public)
                .collect();
            answer["data"] = json!({"page": page, "pageSize": page_size, "total": total,
                "totalPages": (total + page_size - 1) / page_size, "items": items});
        }
        "QueryApiKeys" => {
            let keys: Vec<Value> = records(call, request)
                .iter()
                .map(|r| {
                    json!({"keyHash": r["keyHash"], "keyId": format!("key-{}", r["id"]),
                        "status": "ACTIVE", "tenantId": r["tenantId"].to_string(),
                        "expiresAt": r["expireAt"], "gmtCreate": r["gmtCreate"], "gmtModified": r["gmtCreate"]})
                })
                .collect();
            answer["data"] = json!(keys);
        }
        "GetUsage" => {
            let entitlements: Vec<Value> = records(call, request)
                .iter()
                .map(|r| {
                    json!({"allowedModels": r["allowedModels"], "bindingId": r["id"],
                        "effectiveAt": r["effectiveAt"], "expireAt": r["expireAt"],
                        "quotaInitial": QUOTA, "quotaRemaining": r["quotaBalance"], "quotaUsed": 0,
                        "status": "ACTIVE", "templateId": r["templateId"],
                        "templateName": format!("模板 {}", r["templateId"])})
                })
                .collect();
            answer["data"] = json!({"entitlements": entitlements, "modelStats": [],
                "summary": {"totalInputUsage": 0, "totalOutputUsage": 0, "totalRequests": 0, "totalUsage": 0}});
        }
        _ => {}
    }
    Ok(answer)
}
