//! Building a module's structs from its rows: names claimed, rows added, marks checked.

use super::*;

mod types;

pub(crate) struct Builder<'a> {
    pub(crate) table: &'a RawTable,
    pub(crate) structs: Vec<StructDef>,
    pub(crate) enums: Vec<EnumDef>,
    pub(crate) fixed: Vec<FixedDef>,
    pub(crate) used_names: BTreeSet<String>,
    /// Struct index by the table path of its fields' parent.
    pub(crate) struct_by_path: BTreeMap<String, usize>,
    /// Whether the rows being added may carry outcome marks (an operation's
    /// response, not a document).
    pub(crate) marks_allowed: bool,
    /// The shared type whose rows are being added (in `types.md`).
    pub(crate) context: Option<String>,
    /// `{ref: Name}` uses: name, side, line.
    pub(crate) refs: Vec<(String, Side, usize)>,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(table: &'a RawTable) -> Self {
        Self {
            table,
            structs: Vec::new(),
            enums: Vec::new(),
            fixed: Vec::new(),
            used_names: BTreeSet::new(),
            struct_by_path: BTreeMap::new(),
            marks_allowed: false,
            context: None,
            refs: Vec::new(),
        }
    }

    pub(crate) fn err(&self, line: usize, message: impl Into<String>) -> TableError {
        self.table.error(line, message)
    }

    /// Claims a type name: the preferred one, else prefixed by the parent's.
    pub(crate) fn claim(
        &mut self,
        explicit: Option<&str>,
        preferred: &str,
        parent: &str,
        line: usize,
    ) -> Result<String> {
        let free = |name: &str, used: &BTreeSet<String>| {
            !used.contains(name) && !RESERVED_TYPE_NAMES.contains(&name)
        };
        let name = if let Some(explicit) = explicit {
            if !free(explicit, &self.used_names) {
                return Err(self.err(
                    line,
                    format!("type name `{explicit}` is already used in this table"),
                ));
            }
            explicit.to_owned()
        } else if free(preferred, &self.used_names) {
            preferred.to_owned()
        } else {
            let stem = parent
                .strip_suffix("Request")
                .or_else(|| parent.strip_suffix("Response"))
                .filter(|s| !s.is_empty())
                .unwrap_or(parent);
            let prefixed = format!("{stem}{preferred}");
            if !free(&prefixed, &self.used_names) {
                return Err(self.err(
                    line,
                    format!("type names `{preferred}` and `{prefixed}` are both taken: name it with {{name: ...}}"),
                ));
            }
            prefixed
        };
        self.used_names.insert(name.clone());
        Ok(name)
    }

    pub(crate) fn new_struct(
        &mut self,
        name: String,
        table_path: &str,
        description: &str,
        side: Side,
        line: usize,
    ) -> usize {
        self.structs.push(StructDef {
            name,
            context: self.context.clone(),
            table_path: table_path.to_owned(),
            description: description.to_owned(),
            fields: Vec::new(),
            side,
            line,
        });
        let index = self.structs.len() - 1;
        self.struct_by_path.insert(table_path.to_owned(), index);
        index
    }

    /// Adds the rows of one section as fields of the struct at `root_path`.
    pub(crate) fn add_rows(
        &mut self,
        rows: &[Row],
        root_path: &str,
        location: Location,
        side: Side,
    ) -> Result<()> {
        // Every path that some row sits under: object rows with these paths
        // become structs, the others maps.
        let mut parents = BTreeSet::new();
        for row in rows {
            let mut path = row.name.as_str();
            while let Some(index) = path.rfind('.') {
                path = &path[..index];
                parents.insert(path.to_owned());
            }
        }
        for row in rows {
            self.add_row(row, root_path, location, side, &parents)?;
        }
        Ok(())
    }

    pub(crate) fn add_row(
        &mut self,
        row: &Row,
        root_path: &str,
        location: Location,
        side: Side,
        parents: &BTreeSet<String>,
    ) -> Result<()> {
        let line = row.line;
        let (parent_path, segment) = match row.name.rfind('.') {
            Some(index) => (&row.name[..index], &row.name[index + 1..]),
            None => (root_path, row.name.as_str()),
        };
        if segment.is_empty() || segment.contains('[') || segment.contains(' ') {
            return Err(self.err(
                line,
                format!("`{}`: a name's last segment is a plain key", row.name),
            ));
        }
        let parent = *self.struct_by_path.get(parent_path).ok_or_else(|| {
            self.err(
                line,
                format!(
                    "`{}` sits under `{parent_path}`, which no row above declares as object or array<object>",
                    row.name
                ),
            )
        })?;
        let (base, annotations) =
            parse_type_cell(&row.ty).map_err(|m| self.err(line, format!("`{}`: {m}", row.name)))?;
        let requirement = parse_requirement(&row.required, side)
            .map_err(|m| self.err(line, format!("`{}`: {m}", row.name)))?;
        let parent_name = self.structs[parent].name.clone();
        let ty = self.build_type(row, &base, &annotations, &parent_name, side, parents, false)?;

        let max_items = match annotations.get("max") {
            Some(max) => {
                if !matches!(base, Base::Array(_)) {
                    return Err(self.err(line, "{max: N} applies to arrays"));
                }
                Some(
                    max.parse::<usize>()
                        .map_err(|_| self.err(line, format!("{{max: {max}}} is not a number")))?,
                )
            }
            None => None,
        };
        let repeat_in_query = match annotations.get("style").map(String::as_str) {
            None | Some("simple") => false,
            Some("repeat") => true,
            Some(other) => {
                return Err(self.err(
                    line,
                    format!("{{style: {other}}}: expected simple or repeat"),
                ));
            }
        };
        if annotations.contains_key("style") && location != Location::Query {
            return Err(self.err(line, "{style} applies to query parameters"));
        }
        match location {
            Location::Path => {
                if !matches!(ty, Ty::Scalar(Scalar::String, Quirk::None))
                    || requirement != Requirement::Required
                {
                    return Err(self.err(line, "a path parameter is a required string"));
                }
            }
            Location::Query => {
                let scalar = |t: &Ty| {
                    matches!(
                        t,
                        Ty::Scalar(_, Quirk::None)
                            | Ty::Enum(_)
                            | Ty::Ref {
                                enum_like: true,
                                ..
                            }
                    )
                };
                let ok = match &ty {
                    Ty::Array(inner) => scalar(inner),
                    other => scalar(other),
                };
                if !ok {
                    return Err(self.err(
                        line,
                        "a query parameter is a scalar, an enum or an array of them",
                    ));
                }
            }
            Location::Body => {}
        }
        if requirement == Requirement::Always && !matches!(ty, Ty::Struct(_) | Ty::Map(_)) {
            return Err(self.err(line, "`always` applies to objects"));
        }
        let alias = annotations.get("alias").cloned();
        if alias.as_deref() == Some("") {
            return Err(self.err(line, "{alias: NAME} needs a name"));
        }
        let rest = annotations.contains_key("rest");
        if rest
            && (side == Side::Request
                || !matches!(ty, Ty::Map(None))
                || row.name.contains(['.', '[']))
        {
            return Err(self.err(
                line,
                format!(
                    "`{}`: {{rest}} applies to a top-level `map` row of a response or document",
                    row.name
                ),
            ));
        }
        let marks = Marks {
            fails_when: annotations.get("fails-when").cloned(),
            error_code: annotations.contains_key("error-code"),
            error_message: annotations.contains_key("error-message"),
            request_id: annotations.contains_key("request-id"),
            stream_final: annotations.contains_key("stream-final"),
        };
        if marks.any() {
            self.check_marks(row, &ty, &marks, side)?;
        }
        let rust = snake(segment);
        let strukt = &self.structs[parent];
        if let Some(other) = strukt
            .fields
            .iter()
            .find(|f| f.rust == rust || f.wire == segment)
        {
            return Err(self.err(
                line,
                format!(
                    "`{}` clashes with `{}` (line {}) in the same object",
                    row.name, other.table_path, other.line
                ),
            ));
        }
        let table_path = row.name.clone();
        self.structs[parent].fields.push(Field {
            wire: segment.to_owned(),
            rust,
            ty,
            requirement,
            location,
            description: row.description.clone(),
            example: row.example.clone(),
            table_path,
            line,
            max_items,
            repeat_in_query,
            alias,
            marks,
            rest,
        });
        Ok(())
    }

    /// Outcome marks belong on scalar fields of an operation's response, not
    /// inside arrays, and must fit the field's type.
    pub(crate) fn check_marks(&self, row: &Row, ty: &Ty, marks: &Marks, side: Side) -> Result<()> {
        let line = row.line;
        let name = &row.name;
        if side != Side::Response || !self.marks_allowed {
            return Err(self.err(
                line,
                format!("`{name}`: outcome marks apply to an operation's response fields"),
            ));
        }
        if name.contains("[]") {
            return Err(self.err(
                line,
                format!("`{name}`: outcome marks cannot sit inside an array"),
            ));
        }
        let is_string = matches!(ty, Ty::Scalar(Scalar::String, _));
        if (marks.error_code || marks.error_message || marks.request_id) && !is_string {
            return Err(self.err(
                line,
                format!(
                    "`{name}`: {{error-code}}, {{error-message}} and {{request-id}} mark strings"
                ),
            ));
        }
        if marks.stream_final && !matches!(ty, Ty::Scalar(Scalar::String | Scalar::Boolean, _)) {
            return Err(self.err(
                line,
                format!("`{name}`: {{stream-final}} marks a string or a boolean"),
            ));
        }
        if let Some(value) = &marks.fails_when {
            let fits = match ty {
                Ty::Scalar(Scalar::Boolean, _) => value == "true" || value == "false",
                Ty::Scalar(Scalar::Integer, _) => value.parse::<i64>().is_ok(),
                Ty::Scalar(Scalar::String, _) => !value.is_empty(),
                Ty::Enum(index) => self.enums[*index].variants.iter().any(|(_, v)| v == value),
                _ => false,
            };
            if !fits {
                return Err(self.err(
                    line,
                    format!("`{name}`: {{fails-when: {value}}} does not fit its type (true/false for a boolean, a number, one of an enum's values, a string or `non-empty`)"),
                ));
            }
        }
        Ok(())
    }
}
