//! The error a request builder returns before anything is sent.

use std::fmt;

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A required field was not set.
    Missing,
    /// A field that must be set under a condition was not set; the text says
    /// which condition (for example `opType is hierarchical`).
    MissingWhen(String),
    /// A required text, or a path parameter, was set to the empty string (a
    /// path parameter: or to only whitespace, which would produce a path with
    /// an empty segment).
    Empty,
    /// A path parameter was `.` or `..`: URL normalisers resolve such a
    /// segment away, so the request would go to another path than the one
    /// signed.
    DotSegment,
    /// An array holds more items than the service accepts.
    TooManyItems {
        /// The most the service accepts.
        max: usize,
        /// How many were given.
        actual: usize,
    },
    /// More than one field of a group was set where exactly one is allowed.
    ConflictsWith(Vec<&'static str>),
    /// None of a group of fields was set where exactly one is required.
    OneOfMissing(Vec<&'static str>),
}

/// A request that the service would refuse, caught before anything is sent.
///
/// It names the operation, the field (a dotted path as in the doc tables,
/// e.g. `dialogue.sentences[].role`) and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    operation: &'static str,
    field: &'static str,
    problem: Problem,
}

impl ValidationError {
    /// A new validation error.
    pub const fn new(operation: &'static str, field: &'static str, problem: Problem) -> Self {
        Self {
            operation,
            field,
            problem,
        }
    }

    /// A required field is missing.
    pub const fn missing(operation: &'static str, field: &'static str) -> Self {
        Self::new(operation, field, Problem::Missing)
    }

    /// The operation whose request is invalid, e.g. `AnalyzeConversation`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The field, as a dotted path in the operation's doc table.
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// What is wrong.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} request: `{}` ", self.operation, self.field)?;
        match &self.problem {
            Problem::Missing => f.write_str("is required but was not set"),
            Problem::MissingWhen(condition) => {
                write!(f, "is required when {condition} but was not set")
            }
            Problem::Empty => f.write_str("was set but is empty"),
            Problem::DotSegment => f.write_str("must not be `.` or `..` (a path segment)"),
            Problem::TooManyItems { max, actual } => {
                write!(f, "holds {actual} items; at most {max} are allowed")
            }
            Problem::ConflictsWith(others) => write!(
                f,
                "cannot be set together with {}; set exactly one",
                others.join(", ")
            ),
            Problem::OneOfMissing(group) => {
                write!(f, "or one of {} must be set", group.join(", "))
            }
        }
    }
}

impl std::error::Error for ValidationError {}

/// Checks one path parameter before it is put in a path: not empty, not
/// only whitespace, not `.` or `..` (percent-encoding leaves `.` as it is,
/// and a `..` segment would be resolved away by a URL normaliser, sending
/// the request elsewhere than the path signed).
pub fn check_path_param(
    operation: &'static str,
    field: &'static str,
    value: &str,
) -> Result<(), ValidationError> {
    let problem = if value.trim().is_empty() {
        Problem::Empty
    } else if value == "." || value == ".." {
        Problem::DotSegment
    } else {
        return Ok(());
    };
    Err(ValidationError::new(operation, field, problem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_operation_field_and_problem() {
        let error = ValidationError::missing("AnalyzeConversation", "dialogue.sentences[].role");
        assert_eq!(
            error.to_string(),
            "invalid AnalyzeConversation request: `dialogue.sentences[].role` is required but was not set"
        );
        let error = ValidationError::new(
            "createTask",
            "parameters.identityRecognition.identityContents",
            Problem::TooManyItems { max: 5, actual: 6 },
        );
        assert!(
            error
                .to_string()
                .ends_with("holds 6 items; at most 5 are allowed")
        );
    }

    #[test]
    fn path_parameters_that_would_change_the_path_are_refused() {
        for (value, problem) in [
            ("", Some(Problem::Empty)),
            ("  ", Some(Problem::Empty)),
            (".", Some(Problem::DotSegment)),
            ("..", Some(Problem::DotSegment)),
            ("...", None),
            ("a/..", None),
            ("llm-ws", None),
        ] {
            let result = check_path_param("GetLibraryList", "workspaceId", value);
            assert_eq!(
                result.err().map(|e| e.problem().clone()),
                problem,
                "{value:?}"
            );
        }
    }
}
