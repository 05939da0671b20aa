//! Where providers read environment variables and the home folder; injected,
//! so tests use a map and temporary folders, never the real environment.

use std::collections::HashMap;
use std::path::PathBuf;

/// Environment variables and the home folder.
pub trait Environment: Send + Sync {
    /// A variable's value; empty values count as unset.
    fn var(&self, name: &str) -> Option<String>;
    /// The user's home folder.
    fn home_dir(&self) -> Option<PathBuf>;
}

/// The process's environment (`HOME`, or `USERPROFILE` on Windows).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }

    fn home_dir(&self) -> Option<PathBuf> {
        self.var("HOME")
            .or_else(|| self.var("USERPROFILE"))
            .map(PathBuf::from)
    }
}

/// A fixed environment, for tests. Its `Debug` lists variable names only.
#[derive(Clone, Default)]
pub struct MapEnvironment {
    vars: HashMap<String, String>,
    home: Option<PathBuf>,
}

impl MapEnvironment {
    /// An empty environment without a home folder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a variable.
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Sets the home folder.
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }
}

impl std::fmt::Debug for MapEnvironment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.vars.keys().collect();
        names.sort();
        f.debug_struct("MapEnvironment")
            .field("vars", &names)
            .field("home", &self.home)
            .finish()
    }
}

impl Environment for MapEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).filter(|v| !v.is_empty()).cloned()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        self.home.clone()
    }
}
