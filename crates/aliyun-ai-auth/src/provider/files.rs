//! The credentials file (`~/.alibabacloud/credentials`, ini) and the Aliyun
//! CLI's `~/.aliyun/config.json`. Each resolves its profile once, on first
//! use, into the provider it describes, and reuses it.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use tokio::sync::OnceCell;

use super::{
    AccessKeyProvider, AssumeRoleProvider, EcsRoleProvider, EnvNames, HttpContext, OidcProvider,
};
use crate::credentials::AccessKey;
use crate::env::Environment;
use crate::error::{CredentialsError, json_error};

/// Reads a credentials file: `NotFound` when it is absent, unless its path
/// was given explicitly (then its absence is a configuration error).
fn read_file(path: &Path, explicit: bool) -> Result<String, CredentialsError> {
    match crate::bounded::read_to_string(path, crate::bounded::CREDENTIALS_FILE_LIMIT) {
        Ok(text) => Ok(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && !explicit => Err(
            CredentialsError::not_found(format!("{} does not exist", path.display())),
        ),
        Err(error) => Err(
            CredentialsError::invalid(format!("cannot read {}", path.display())).with_source(error),
        ),
    }
}

fn locate(
    env: &dyn Environment,
    variable: &str,
    default: &[&str],
) -> Result<(PathBuf, bool), CredentialsError> {
    if let Some(path) = env.var(variable) {
        return Ok((PathBuf::from(path), true));
    }
    let home = env.home_dir().ok_or_else(|| {
        CredentialsError::not_found("no home folder to look for credentials files in")
    })?;
    Ok((
        default.iter().fold(home, |path, part| path.join(part)),
        false,
    ))
}

/// Parses an ini document into sections of `key = value` pairs as the
/// vendor's credential readers read `~/.alibabacloud/credentials`: `[section]`
/// headers (names kept as written); `key = value` or `key: value` (the first
/// of `=` and `:` separates, as Python's `configparser` does); keys
/// case-insensitive (lowercased, as `configparser` does); `#` and `;` comment
/// lines; an inline comment cut from a value at its first `#` or `;` (the
/// vendor's Python reader cuts at `#` after `configparser`, Go's `ini`
/// library at either), so `secret = x # prod` is `x`; then one pair of
/// surrounding quotes (`"` or `'`) removed, not every quote. Hand-written
/// because the format is this small subset. Skipped: a line that is neither
/// a header nor a pair, continuation lines. A key repeated in a section: the
/// last wins.
fn parse_ini(text: &str) -> HashMap<String, HashMap<String, String>> {
    let mut sections: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim().to_owned();
            sections.entry(current.clone()).or_default();
            continue;
        }
        let Some(at) = line.find(['=', ':']) else {
            continue;
        };
        let (key, value) = (&line[..at], &line[at + 1..]);
        let value = match value.find(['#', ';']) {
            Some(comment) => &value[..comment],
            None => value,
        };
        sections.entry(current.clone()).or_default().insert(
            key.trim().to_ascii_lowercase(),
            unquote(value.trim()).to_owned(),
        );
    }
    sections
}

/// One pair of matching surrounding quotes removed.
fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// The shell both file providers share: where to look, how to reach
/// credentials services, and the provider their profile resolves to, once,
/// on first use (then reused). Each provider supplies its own `resolve`.
macro_rules! profile_provider {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name {
            http: HttpContext,
            env: Arc<dyn Environment>,
            names: EnvNames,
            resolved: OnceCell<Arc<dyn AccessKeyProvider>>,
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).field("resolved", &self.resolved.get()).finish_non_exhaustive()
            }
        }

        impl $name {
            /// Reads the file located through `env`.
            pub fn new(http: HttpContext, env: Arc<dyn Environment>, names: EnvNames) -> Self {
                Self { http, env, names, resolved: OnceCell::new() }
            }
        }

        #[async_trait]
        impl AccessKeyProvider for $name {
            async fn access_key(&self) -> Result<AccessKey, CredentialsError> {
                let provider = self.resolved.get_or_try_init(|| async { self.resolve() }).await?;
                provider.access_key().await
            }
        }
    };
}

profile_provider! {
/// Credentials described by a profile of `~/.alibabacloud/credentials`, or
/// else `~/.alibabacloud/credentials.ini` (`ALIBABA_CLOUD_CREDENTIALS_FILE` moves it; `ALIBABA_CLOUD_PROFILE` picks
/// the section, `default` otherwise). Types: `access_key`, `ecs_ram_role`,
/// `ram_role_arn`, `oidc_role_arn`.
    CredentialsFileProvider
}

impl CredentialsFileProvider {
    fn resolve(&self) -> Result<Arc<dyn AccessKeyProvider>, CredentialsError> {
        let (path, explicit) = locate(
            self.env.as_ref(),
            &self.names.credentials_file,
            &[".alibabacloud", "credentials"],
        )?;
        // The vendor's current readers default to `credentials.ini`, its
        // older ones (and the CLI's docs) to `credentials`: without an
        // explicit path, the older name first, then the newer.
        let (path, text) = match read_file(&path, explicit) {
            Err(error) if error.is_not_found() && !explicit => {
                let ini = path.with_file_name("credentials.ini");
                let text = read_file(&ini, false)?;
                (ini, text)
            }
            other => (path, other?),
        };
        let sections = parse_ini(&text);
        let profile = self
            .env
            .var(&self.names.profile)
            .unwrap_or_else(|| "default".into());
        let section = sections.get(&profile).ok_or_else(|| {
            CredentialsError::not_found(format!("{} has no profile [{profile}]", path.display()))
        })?;
        let get = |key: &str| section.get(key).filter(|v| !v.is_empty()).cloned();
        let require = |key: &str| {
            get(key).ok_or_else(|| {
                CredentialsError::invalid(format!(
                    "profile [{profile}] of {} lacks {key}",
                    path.display()
                ))
            })
        };
        if get("enable").is_some_and(|v| v.eq_ignore_ascii_case("false")) {
            return Err(CredentialsError::not_found(format!(
                "profile [{profile}] is disabled"
            )));
        }
        let kind = get("type").unwrap_or_else(|| "access_key".into());
        let provider: Arc<dyn AccessKeyProvider> = match kind.as_str() {
            "access_key" => Arc::new(AccessKey::new(
                require("access_key_id")?,
                require("access_key_secret")?,
            )),
            "ecs_ram_role" => {
                let provider = EcsRoleProvider::new(self.http.clone());
                Arc::new(match get("role_name") {
                    Some(role) => provider.with_role_name(role),
                    None => provider,
                })
            }
            "ram_role_arn" => {
                let source = Arc::new(AccessKey::new(
                    require("access_key_id")?,
                    require("access_key_secret")?,
                ));
                let provider =
                    AssumeRoleProvider::new(self.http.clone(), source, require("role_arn")?)
                        .with_endpoint(super::sts::sts_endpoint_from_env(self.env.as_ref()));
                Arc::new(match get("role_session_name") {
                    Some(name) => provider.with_session_name(name),
                    None => provider,
                })
            }
            "oidc_role_arn" => {
                let provider = OidcProvider::new(
                    self.http.clone(),
                    require("role_arn")?,
                    require("oidc_provider_arn")?,
                    require("oidc_token_file_path")?,
                )
                .with_endpoint(super::sts::sts_endpoint_from_env(self.env.as_ref()));
                Arc::new(provider.with_session_name_opt(get("role_session_name")))
            }
            other => {
                return Err(CredentialsError::invalid(format!(
                    "profile [{profile}] has type {other}; expected access_key, ecs_ram_role, ram_role_arn or oidc_role_arn"
                )));
            }
        };
        Ok(provider)
    }
}

#[derive(Deserialize)]
struct CliConfig {
    current: Option<String>,
    #[serde(default)]
    profiles: Vec<CliProfile>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CliProfile {
    name: String,
    mode: String,
    access_key_id: String,
    access_key_secret: String,
    sts_token: String,
    ram_role_name: String,
    ram_role_arn: String,
    ram_session_name: String,
    expired_seconds: u64,
    oidc_provider_arn: String,
    oidc_token_file: String,
    source_profile: String,
}

/// How many `ChainableRamRoleArn` profiles may stand on each other: deeper
/// chains are surely a mistake (and a cycle is refused before this).
const MAX_PROFILE_CHAIN: usize = 8;

profile_provider! {
/// Credentials described by the Aliyun CLI's `~/.aliyun/config.json`
/// (`ALIBABA_CLOUD_CONFIG_FILE` moves it; the profile is
/// `ALIBABA_CLOUD_PROFILE` or the file's `current`). Modes: `AK`, `StsToken`,
/// `RamRoleArn`, `EcsRamRole`, `OIDC`, and `ChainableRamRoleArn` (assume
/// `ram_role_arn` with the credentials of the profile named by
/// `source_profile`, of any mode, as the CLI does).
    CliConfigProvider
}

impl CliConfigProvider {
    fn resolve(&self) -> Result<Arc<dyn AccessKeyProvider>, CredentialsError> {
        let (path, explicit) = locate(
            self.env.as_ref(),
            &self.names.config_file,
            &[".aliyun", "config.json"],
        )?;
        let text = read_file(&path, explicit)?;
        let config: CliConfig = serde_json::from_str(&text).map_err(|e| {
            let error = json_error(&path.display().to_string(), &e);
            CredentialsError::invalid(error.to_string())
        })?;
        let name = self
            .env
            .var(&self.names.profile)
            .or(config.current)
            .unwrap_or_else(|| "default".into());
        let mut chain = Vec::new();
        self.profile_provider(&config.profiles, &name, &path, &mut chain)
    }

    /// The provider of profile `name`; `chain` holds the profiles that led
    /// here through `source_profile`, to refuse a cycle.
    fn profile_provider(
        &self,
        profiles: &[CliProfile],
        name: &str,
        path: &std::path::Path,
        chain: &mut Vec<String>,
    ) -> Result<Arc<dyn AccessKeyProvider>, CredentialsError> {
        let profile = profiles.iter().find(|p| p.name == name).ok_or_else(|| {
            CredentialsError::not_found(format!("{} has no profile {name}", path.display()))
        })?;
        let require = |value: &str, key: &str| {
            if value.is_empty() {
                Err(CredentialsError::invalid(format!(
                    "profile {name} of {} lacks {key}",
                    path.display()
                )))
            } else {
                Ok(value.to_owned())
            }
        };
        let assume_role = |source: Arc<dyn AccessKeyProvider>| {
            let mut provider = AssumeRoleProvider::new(
                self.http.clone(),
                source,
                require(&profile.ram_role_arn, "ram_role_arn")?,
            )
            .with_endpoint(super::sts::sts_endpoint_from_env(self.env.as_ref()));
            if !profile.ram_session_name.is_empty() {
                provider = provider.with_session_name(&profile.ram_session_name);
            }
            if profile.expired_seconds > 0 {
                provider =
                    provider.with_duration(std::time::Duration::from_secs(profile.expired_seconds));
            }
            Ok::<_, CredentialsError>(Arc::new(provider) as Arc<dyn AccessKeyProvider>)
        };
        let provider: Arc<dyn AccessKeyProvider> = match profile.mode.as_str() {
            "AK" => Arc::new(AccessKey::new(
                require(&profile.access_key_id, "access_key_id")?,
                require(&profile.access_key_secret, "access_key_secret")?,
            )),
            "StsToken" => Arc::new(
                AccessKey::new(
                    require(&profile.access_key_id, "access_key_id")?,
                    require(&profile.access_key_secret, "access_key_secret")?,
                )
                .with_security_token(require(&profile.sts_token, "sts_token")?),
            ),
            "RamRoleArn" => assume_role(Arc::new(AccessKey::new(
                require(&profile.access_key_id, "access_key_id")?,
                require(&profile.access_key_secret, "access_key_secret")?,
            )))?,
            "ChainableRamRoleArn" => {
                let source = require(&profile.source_profile, "source_profile")?;
                chain.push(name.to_owned());
                if chain.contains(&source) || chain.len() > MAX_PROFILE_CHAIN {
                    return Err(CredentialsError::invalid(format!(
                        "profile {name} of {}: source_profile {source} makes a cycle or a chain over {MAX_PROFILE_CHAIN} profiles ({} -> {source})",
                        path.display(),
                        chain.join(" -> ")
                    )));
                }
                let source = self.profile_provider(profiles, &source, path, chain)?;
                assume_role(source)?
            }
            "EcsRamRole" => {
                let provider = EcsRoleProvider::new(self.http.clone());
                Arc::new(if profile.ram_role_name.is_empty() {
                    provider
                } else {
                    provider.with_role_name(&profile.ram_role_name)
                })
            }
            "OIDC" => Arc::new(
                OidcProvider::new(
                    self.http.clone(),
                    require(&profile.ram_role_arn, "ram_role_arn")?,
                    require(&profile.oidc_provider_arn, "oidc_provider_arn")?,
                    require(&profile.oidc_token_file, "oidc_token_file")?,
                )
                .with_endpoint(super::sts::sts_endpoint_from_env(self.env.as_ref()))
                .with_session_name_opt(
                    (!profile.ram_session_name.is_empty())
                        .then(|| profile.ram_session_name.clone()),
                ),
            ),
            other => {
                return Err(CredentialsError::invalid(format!(
                    "profile {name} has mode {other:?}; supported: AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC"
                )));
            }
        };
        Ok(provider)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_sections_keys_comments_and_quotes() {
        let sections = parse_ini(
            "# c\n[default]\ntype = access_key\naccess_key_id = \"a\"\n; x\n[other]\nk=v\n",
        );
        assert_eq!(sections["default"]["access_key_id"], "a");
        assert_eq!(sections["other"]["k"], "v");
    }

    #[test]
    fn files_written_for_the_vendors_tools_read_as_the_vendors_readers_read_them() {
        // Issue 21 #14: each of these signed with the wrong secret.
        let sections = parse_ini(concat!(
            "[default]\n",
            "enable = true\n",
            "type = access_key\n",
            "access_key_id = LTAI-id # the production key\n",
            "access_key_secret = s3cret ; rotated monthly\n",
            "[colon]\n",
            "Type: access_key\n",
            "Access_Key_Id: LTAI-2\n",
            "ACCESS_KEY_SECRET : 'quoted'\n",
            "[quotes]\n",
            "access_key_secret = \"\"two pairs\"\"\n",
            "role_arn = acs:ram::123:role/x\n",
        ));
        let default = &sections["default"];
        assert_eq!(default["access_key_id"], "LTAI-id");
        assert_eq!(default["access_key_secret"], "s3cret");
        let colon = &sections["colon"];
        assert_eq!(colon["type"], "access_key");
        assert_eq!(colon["access_key_id"], "LTAI-2");
        assert_eq!(colon["access_key_secret"], "quoted");
        // One pair of quotes goes, not every quote; `=` before `:` separates.
        assert_eq!(sections["quotes"]["access_key_secret"], "\"two pairs\"");
        assert_eq!(sections["quotes"]["role_arn"], "acs:ram::123:role/x");
    }
}

/// What the crate's `fuzzing` module reaches.
pub(crate) mod fuzzing {
    /// The ini reader; how many sections.
    pub(crate) fn parse_ini(text: &str) -> usize {
        super::parse_ini(text).len()
    }

    /// The CLI config reader; whether it decodes.
    pub(crate) fn parse_cli_config(text: &str) -> bool {
        serde_json::from_str::<super::CliConfig>(text).is_ok()
    }
}
