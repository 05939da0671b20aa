//! Building a field's type: scalars, nested structs, `{ref}`s, enums and the rules.

use super::*;

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build_type(
        &mut self,
        row: &Row,
        base: &Base,
        annotations: &Annotations,
        parent_name: &str,
        side: Side,
        parents: &BTreeSet<String>,
        in_array: bool,
    ) -> Result<Ty> {
        let line = row.line;
        let segment = row.name.rsplit('.').next().unwrap_or(&row.name);
        let preferred = if in_array {
            pascal(&singular(segment))
        } else {
            pascal(segment)
        };
        let explicit = annotations.get("name").map(String::as_str);
        let quirks: Vec<&str> = [
            "lenient",
            "as-string",
            "json",
            "one-or-many",
            "id",
            "fixed",
            "enum",
            "secret",
            "signed-url",
        ]
        .into_iter()
        .filter(|k| annotations.contains_key(*k))
        .collect();
        if quirks.len() > 1 {
            return Err(self.err(
                line,
                format!("annotations {} cannot be combined", quirks.join(", ")),
            ));
        }
        let quirk = quirks.first().copied();
        if let Some(target) = annotations.get("ref") {
            return self.build_ref(row, base, target, quirk, explicit, side, parents, in_array);
        }
        let scalar_quirk = |q: Option<&str>| match q {
            Some("lenient") => Quirk::Lenient,
            Some("as-string") => Quirk::AsString,
            _ => Quirk::None,
        };
        let misplaced = |this: &Self, what: &str| {
            Err(this.err(
                line,
                format!(
                    "`{}`: {{{}}} does not apply to {what}",
                    row.name,
                    quirk.unwrap_or("")
                ),
            ))
        };
        match base {
            Base::Array(inner) => {
                if in_array {
                    return Err(self.err(line, "arrays of arrays are not supported"));
                }
                let item =
                    self.build_type(row, inner, annotations, parent_name, side, parents, true)?;
                Ok(Ty::Array(Box::new(item)))
            }
            Base::Map(inner) => {
                if quirk.is_some() {
                    return misplaced(self, "maps");
                }
                let value = match inner {
                    None => None,
                    Some(inner) => match **inner {
                        Base::Scalar(scalar) => Some(Box::new(Ty::Scalar(scalar, Quirk::None))),
                        Base::Long => Some(Box::new(Ty::Scalar(Scalar::Integer, Quirk::None))),
                        _ => {
                            return Err(self
                                .err(line, "map values are scalars (or use `map` for any JSON)"));
                        }
                    },
                };
                Ok(Ty::Map(value))
            }
            Base::Any => {
                if quirk.is_some() {
                    return misplaced(self, "any");
                }
                Ok(Ty::Any)
            }
            Base::Object => {
                if quirk.is_some() {
                    return misplaced(self, "objects");
                }
                let path = if in_array {
                    format!("{}[]", row.name)
                } else {
                    row.name.clone()
                };
                if parents.contains(&path) {
                    let name = self.claim(explicit, &preferred, parent_name, line)?;
                    let index = self.new_struct(name, &path, &row.description, side, line);
                    Ok(Ty::Struct(index))
                } else {
                    Ok(Ty::Map(None))
                }
            }
            Base::Long => match quirk {
                Some("id") => Ok(Ty::Id64),
                None | Some("lenient") | Some("as-string") => {
                    Ok(Ty::Scalar(Scalar::Integer, scalar_quirk(quirk)))
                }
                _ => misplaced(self, "long"),
            },
            Base::Scalar(scalar) => match (scalar, quirk) {
                (_, None) => Ok(Ty::Scalar(*scalar, Quirk::None)),
                (Scalar::Boolean | Scalar::Integer, Some("lenient" | "as-string")) => {
                    Ok(Ty::Scalar(*scalar, scalar_quirk(quirk)))
                }
                (Scalar::Integer, Some("id")) => Ok(Ty::Id64),
                (Scalar::String, Some("json")) => Ok(Ty::Json),
                (Scalar::String, Some("one-or-many")) => Ok(Ty::OneOrMany),
                (Scalar::String, Some("secret")) => Ok(Ty::Secret),
                (Scalar::String, Some("signed-url")) => Ok(Ty::SignedUrl),
                (Scalar::String, Some("fixed")) => {
                    let value = annotations.get("fixed").cloned().unwrap_or_default();
                    if value.is_empty() {
                        return Err(self.err(line, "{fixed: VALUE} needs a value"));
                    }
                    let name = self.claim(
                        None,
                        &format!("{parent_name}{}", pascal(segment)),
                        parent_name,
                        line,
                    )?;
                    self.fixed.push(FixedDef { name, value });
                    Ok(Ty::Fixed(self.fixed.len() - 1))
                }
                (Scalar::String, Some("enum")) => {
                    let list = annotations.get("enum").cloned().unwrap_or_default();
                    let variants = self.enum_variants(line, &list)?;
                    let name = self.claim(explicit, &preferred, parent_name, line)?;
                    self.enums.push(EnumDef {
                        name,
                        description: row.description.clone(),
                        variants,
                        line,
                    });
                    Ok(Ty::Enum(self.enums.len() - 1))
                }
                _ => misplaced(self, &format!("{scalar:?}").to_lowercase()),
            },
        }
    }

    /// A `{ref: Name}` row: a shared type of `types.md`, on an object without
    /// child rows, an array of them, a string (an enum) or an array of strings.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build_ref(
        &mut self,
        row: &Row,
        base: &Base,
        target: &str,
        quirk: Option<&str>,
        explicit: Option<&str>,
        side: Side,
        parents: &BTreeSet<String>,
        in_array: bool,
    ) -> Result<Ty> {
        let line = row.line;
        let name = &row.name;
        let valid = !target.is_empty()
            && target
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
            && target.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid {
            return Err(self.err(
                line,
                format!("`{name}`: {{ref: {target}}} needs a type name"),
            ));
        }
        if quirk.is_some() || explicit.is_some() {
            return Err(self.err(
                line,
                format!("`{name}`: {{ref}} takes no other type annotation"),
            ));
        }
        let enum_like = match base {
            Base::Array(inner) if !in_array => {
                let item =
                    self.build_ref(row, inner, target, quirk, explicit, side, parents, true)?;
                return Ok(Ty::Array(Box::new(item)));
            }
            Base::Object => {
                let path = if in_array {
                    format!("{name}[]")
                } else {
                    name.clone()
                };
                if parents.contains(&path) {
                    return Err(self.err(
                        line,
                        format!("`{name}`: a {{ref}} row has no child rows (the shared type defines them)"),
                    ));
                }
                false
            }
            Base::Scalar(Scalar::String) => true,
            _ => {
                return Err(self.err(
                    line,
                    format!("`{name}`: {{ref}} applies to object, string or an array of them"),
                ));
            }
        };
        // Inside types.md a {ref} names a sibling section: nothing to reserve.
        if self.context.is_none() {
            if self.used_names.contains(target) && !self.refs.iter().any(|(n, _, _)| n == target) {
                return Err(self.err(
                    line,
                    format!(
                        "`{name}`: {{ref: {target}}} clashes with a type of this table of that name"
                    ),
                ));
            }
            self.used_names.insert(target.to_owned());
        }
        self.refs.push((target.to_owned(), side, line));
        Ok(Ty::Ref {
            name: target.to_owned(),
            enum_like,
        })
    }

    pub(crate) fn enum_variants(&self, line: usize, list: &str) -> Result<Vec<(String, String)>> {
        let mut variants: Vec<(String, String)> = Vec::new();
        for item in list.split(',').map(str::trim) {
            if item.is_empty() {
                return Err(self.err(line, "{enum: ...} lists values separated by commas"));
            }
            let (variant, value) = match item.split_once('=') {
                Some((name, value)) => (name.trim().to_owned(), value.trim().to_owned()),
                None => (pascal(item), item.to_owned()),
            };
            let valid = variant
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
                && variant.chars().all(|c| c.is_ascii_alphanumeric());
            if !valid {
                return Err(self.err(
                    line,
                    format!("enum value `{item}` needs a name: write `Name={item}`"),
                ));
            }
            if variants.iter().any(|(_, v)| *v == value) {
                return Err(self.err(line, format!("enum value `{value}` is listed twice")));
            }
            if variant == "Unknown" || variants.iter().any(|(v, _)| *v == variant) {
                return Err(self.err(
                    line,
                    format!("enum variant name `{variant}` is taken: write `Name={value}`"),
                ));
            }
            variants.push((variant, value));
        }
        Ok(variants)
    }

    /// Checks what can only be checked once every row is known.
    pub(crate) fn check_rules(&self) -> Result<()> {
        for strukt in &self.structs {
            let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
            for field in &strukt.fields {
                match &field.requirement {
                    Requirement::When { clauses, .. } => {
                        for (other, _) in clauses {
                            let condition = strukt.fields.iter().find(|f| f.wire == *other);
                            let ok = condition.is_some_and(|f| {
                                matches!(
                                    f.ty,
                                    Ty::Enum(_)
                                        | Ty::Ref {
                                            enum_like: true,
                                            ..
                                        }
                                        | Ty::Scalar(Scalar::String | Scalar::Boolean, Quirk::None)
                                )
                            });
                            if !ok {
                                return Err(self.err(
                                field.line,
                                format!("the condition names `{other}`, which is not a string, enum or boolean beside `{}`", field.wire),
                            ));
                            }
                        }
                    }
                    Requirement::OneOf(group) => *groups.entry(group.as_str()).or_default() += 1,
                    Requirement::Always => {
                        if let Ty::Struct(index) = field.ty {
                            if self.structs[index].fields.iter().any(|f| {
                                f.is_direct(Side::Request) && !matches!(f.ty, Ty::Fixed(_))
                            }) {
                                return Err(self.err(
                                    field.line,
                                    "`always` objects must have only optional fields",
                                ));
                            }
                        }
                    }
                    _ => {}
                }
            }
            if let Some((group, _)) = groups.iter().find(|(_, count)| **count < 2) {
                return Err(self.err(
                    strukt.line,
                    format!("group `one of {group}` has a single field"),
                ));
            }
        }
        Ok(())
    }
}
