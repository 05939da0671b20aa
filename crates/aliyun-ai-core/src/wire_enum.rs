//! The two macros behind every generated enum: written once here, invoked by
//! the generated model crates, so that 62 operations' enums cost a few lines
//! each and behave identically.
//!
//! - [`unknown_value!`](crate::unknown_value) defines, in the invoking crate,
//!   the opaque `UnknownValue` that an enum's `Unknown` variant holds. Its
//!   constructor is private to that crate: user code cannot write
//!   `BizType::Unknown(..)` for a value the SDK knows (`BizType::Attitude`);
//!   an unknown value arises only from decoding or from
//!   `BizType::from("a-new-value")`.
//! - [`wire_enum!`](crate::wire_enum) defines one enum whose variants are
//!   the vendor's wire values, with `Unknown(UnknownValue)` for any other.

/// Defines `UnknownValue` in the invoking crate (see the module docs). The
/// generated `lib.rs` of a model crate with enums invokes it once.
#[macro_export]
macro_rules! unknown_value {
    () => {
        /// A value of one of this crate's enums that this SDK version does
        /// not know: kept exactly as received and sent back unchanged. Only
        /// decoding, or `From<&str>` of a value the enum does not know,
        /// creates one, so `Unknown` never stands for a known value.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct UnknownValue(::std::string::String);

        impl UnknownValue {
            /// Only the enums of this crate create unknown values.
            pub(crate) fn new(value: impl ::std::convert::Into<::std::string::String>) -> Self {
                Self(value.into())
            }

            /// The value as received.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for UnknownValue {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Defines an enum of wire values with `Unknown(UnknownValue)` for the rest,
/// and its `VALUES`, `as_str`, `try_parse` (known values only), `is_unknown`,
/// lenient `From<&str>`/`From<String>`/`FromStr` (an unknown value is kept),
/// `Display`, and serde (encoded as its text; decoded from a string, a
/// number or a boolean, whose text is the value). The invoking crate must
/// have invoked [`unknown_value!`](crate::unknown_value) at its root.
///
/// ```
/// // At the root of a model crate (the generated lib.rs and modules):
/// aliyun_ai_core::unknown_value!();
/// aliyun_ai_core::wire_enum! {
///     /// How a task is going.
///     pub enum Status {
///         /// `0`
///         Done = "0",
///         /// `1`
///         Running = "1",
///     }
/// }
///
/// fn main() {
///     assert_eq!(Status::from("0"), Status::Done);
///     assert!(matches!(serde_json::from_str::<Status>("1").unwrap(), Status::Running));
///     assert!(matches!(serde_json::from_str::<Status>("0").unwrap(), Status::Done));
///     let new = Status::from("7");
///     assert!(new.is_unknown() && new.as_str() == "7");
///     assert_eq!(Status::try_parse("7"), None);
///     assert_eq!(serde_json::to_string(&new).unwrap(), "\"7\"");
///     assert_eq!("1".parse::<Status>(), Ok(Status::Running));
/// }
/// ```
// `crate::UnknownValue` deliberately names the invoking crate's type (the
// one `unknown_value!` defined there), not this crate's.
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this SDK version does not know, kept as received.
            Unknown(crate::UnknownValue),
        }

        impl $name {
            /// Every value this SDK version knows, in the order the vendor
            /// documents them.
            pub const VALUES: &'static [&'static str] = &[$($value),+];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// The variant of a known value; `None` for any other (use
            /// `From<&str>` to keep an unknown value instead).
            pub fn try_parse(value: &str) -> ::std::option::Option<Self> {
                match value {
                    $( $value => ::std::option::Option::Some(Self::$variant), )+
                    _ => ::std::option::Option::None,
                }
            }

            /// Whether this is a value this SDK version does not know.
            pub fn is_unknown(&self) -> bool {
                ::std::matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::try_parse(value).unwrap_or_else(|| Self::Unknown(crate::UnknownValue::new(value)))
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match Self::try_parse(&value) {
                    ::std::option::Option::Some(known) => known,
                    ::std::option::Option::None => Self::Unknown(crate::UnknownValue::new(value)),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            /// Never fails: an unknown value is kept (see `try_parse`).
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::quirks::deserialize_enum_text(deserializer).map(Self::from)
            }
        }
    };
}
