//! Reading small local files (credentials, keys, tokens) without trusting
//! their size: a path that points at a huge file, a FIFO or `/dev/zero`
//! fails at the limit instead of exhausting memory.

use std::io::Read;
use std::path::Path;

/// The most read from a credentials file or the CLI's `config.json`.
pub const CREDENTIALS_FILE_LIMIT: u64 = 1024 * 1024;

/// The most read from a file holding one key or token (a DashScope API key
/// file, an OIDC token file).
pub const TOKEN_FILE_LIMIT: u64 = 64 * 1024;

/// The most read from a credentials endpoint's answer (STS, ECS metadata,
/// a credentials URI).
pub const ENDPOINT_BODY_LIMIT: usize = 64 * 1024;

/// Reads `path` as UTF-8, failing with `InvalidData` past `limit` bytes.
pub(crate) fn read_to_string(path: &Path, limit: u64) -> std::io::Result<String> {
    let file = std::fs::File::open(path)?;
    let mut text = String::new();
    file.take(limit + 1).read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than the limit of {limit} bytes"),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_one_byte_over_the_limit_is_refused() {
        let dir = std::env::temp_dir().join(format!("aliyun-ai-bounded-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let at = dir.join("at");
        let over = dir.join("over");
        std::fs::write(&at, "a".repeat(16)).unwrap();
        std::fs::write(&over, "a".repeat(17)).unwrap();
        assert_eq!(read_to_string(&at, 16).unwrap().len(), 16);
        let error = read_to_string(&over, 16).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("limit of 16 bytes"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
