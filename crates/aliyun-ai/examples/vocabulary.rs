//! ContactCenterAI vocabularies (hot words for speech recognition): create,
//! read, list, update and delete one.
//!
//! `cargo run -p aliyun-ai --example vocabulary [-- --live]`

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::Client;

use aliyun_ai::contactcenterai::{
    CreateVocabRequest, DeleteVocabRequest, GetVocabRequest, ListVocabRequest, UpdateVocabRequest,
    WordWeight,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Alibaba Cloud with `--live` (credentials and endpoints from the
    // environment, see the README); otherwise a local emulator started here.
    let (client, _emulator) = if support::live() {
        (Client::from_env()?, None)
    } else {
        let (client, emulator) = support::emulator_client().await?;
        (client, Some(emulator))
    };
    let ccai = client.contact_center_ai();
    let workspace = &support::ccai_workspace();

    let created = ccai
        .create_vocab(
            CreateVocabRequest::builder()
                .workspace_id(workspace)
                .name("汽车销售热词")
                .description("车型与配置")
                .word_weight_list([WordWeight::new("增程式", 3), WordWeight::new("续航", 2)])
                .build()?,
        )
        .await?;
    let id = created
        .data
        .and_then(|d| d.vocabulary_id)
        .ok_or("CreateVocab answered no vocabularyId")?;
    println!("created vocabulary {id}");

    ccai.update_vocab(
        UpdateVocabRequest::builder()
            .workspace_id(workspace)
            .vocabulary_id(&id)
            .word_weight_list([WordWeight::new("增程式", 3), WordWeight::new("智驾", 4)])
            .build()?,
    )
    .await?;
    let vocabulary = ccai
        .get_vocab(
            GetVocabRequest::builder()
                .workspace_id(workspace)
                .vocabulary_id(&id)
                .build()?,
        )
        .await?
        .data
        .unwrap_or_default();
    for word in vocabulary.word_weight_list.unwrap_or_default() {
        println!(
            "  {} (weight {})",
            word.word.unwrap_or_default(),
            word.weight.unwrap_or_default()
        );
    }
    let all = ccai
        .list_vocab(
            ListVocabRequest::builder()
                .workspace_id(workspace)
                .build()?,
        )
        .await?
        .data
        .unwrap_or_default();
    println!("{} vocabularies in the workspace", all.len());

    ccai.delete_vocab(
        DeleteVocabRequest::builder()
            .workspace_id(workspace)
            .vocabulary_id(&id)
            .build()?,
    )
    .await?;
    println!("deleted {id}");
    Ok(())
}
