//! The error a request builder returns before anything is sent.

use std::borrow::Cow;
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
/// e.g. `dialogue.sentences[].role`) and the problem. A shared type built on
/// its own (`Sentence::builder().build()`) names the type instead; checked
/// as part of a request, its errors name the request's operation and the
/// whole path.
///
/// ```
/// use aliyun_ai_core::{Problem, ValidationError};
///
/// let in_sentence = ValidationError::in_type("Sentence", "text", Problem::Empty);
/// assert_eq!(in_sentence.to_string(), "invalid Sentence: `text` was set but is empty");
/// let in_request = in_sentence.within("AnalyzeConversation", "dialogue.sentences[]");
/// assert_eq!(
///     in_request.to_string(),
///     "invalid AnalyzeConversation request: `dialogue.sentences[].text` was set but is empty"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The operation, or the shared type when `in_type`.
    operation: &'static str,
    in_type: bool,
    field: Cow<'static, str>,
    problem: Problem,
}

impl ValidationError {
    /// A field of an operation's request is invalid.
    pub const fn new(operation: &'static str, field: &'static str, problem: Problem) -> Self {
        Self {
            operation,
            in_type: false,
            field: Cow::Borrowed(field),
            problem,
        }
    }

    /// A required field of an operation's request is missing.
    pub const fn missing(operation: &'static str, field: &'static str) -> Self {
        Self::new(operation, field, Problem::Missing)
    }

    /// A field of a shared type (one that several requests hold) is invalid.
    pub const fn in_type(type_name: &'static str, field: &'static str, problem: Problem) -> Self {
        Self {
            operation: type_name,
            in_type: true,
            field: Cow::Borrowed(field),
            problem,
        }
    }

    /// A required field of a shared type is missing.
    pub const fn missing_in_type(type_name: &'static str, field: &'static str) -> Self {
        Self::in_type(type_name, field, Problem::Missing)
    }

    /// This error, found in a value held by `operation`'s request at `parent`
    /// (a dotted path, `[]` for an array's items): it then names the
    /// operation and the whole path.
    #[must_use]
    pub fn within(self, operation: &'static str, parent: &str) -> Self {
        Self {
            operation,
            in_type: false,
            field: Cow::Owned(format!("{parent}.{}", self.field)),
            problem: self.problem,
        }
    }

    /// This error, found in a value held by the shared type `type_name` at
    /// `parent`.
    #[must_use]
    pub fn within_type(self, type_name: &'static str, parent: &str) -> Self {
        Self {
            in_type: true,
            ..self.within(type_name, parent)
        }
    }

    /// The operation whose request is invalid, e.g. `AnalyzeConversation`
    /// (for a shared type built on its own: the type's name).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The field, as a dotted path in the operation's doc table.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.in_type { "" } else { " request" };
        write!(f, "invalid {}{what}: `{}` ", self.operation, self.field)?;
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
