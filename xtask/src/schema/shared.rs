//! Shared types (`types.md`): the `{ref}` targets, their sides, and the checks of every `{ref}`.

use super::*;

/// The `{ref: ...}` targets of each section of a `types.md` (section name ->
/// referenced names), to propagate sides before the types are built.
pub fn type_references(table: &RawTable) -> Result<BTreeMap<String, Vec<String>>> {
    let mut edges = BTreeMap::new();
    for section in table.sections.iter().filter(|s| !s.rows.is_empty()) {
        let mut targets = Vec::new();
        for row in &section.rows {
            let (_, annotations) = parse_type_cell(&row.ty)
                .map_err(|m| table.error(row.line, format!("`{}`: {m}", row.name)))?;
            if let Some(target) = annotations.get("ref") {
                targets.push(target.clone());
            }
        }
        edges.insert(section.title.clone(), targets);
    }
    Ok(edges)
}

/// The side of every shared struct: the side of the tables that refer to it,
/// directly or through another shared type. `uses` are the `{ref}`s of the
/// operation and document tables, with the file that made each. A type both
/// sides reach is [`Side::Both`].
pub fn shared_sides(
    edges: &BTreeMap<String, Vec<String>>,
    uses: &[(String, Side, String)],
) -> BTreeMap<String, Side> {
    let mut sides: BTreeMap<String, (Side, String)> = BTreeMap::new();
    let mut work: Vec<(String, Side, String)> = uses.to_vec();
    while let Some((name, side, by)) = work.pop() {
        // A type both sides use is `Both` (and so is every type below it).
        let side = match sides.get(&name) {
            Some((known, _)) if *known == side || *known == Side::Both => continue,
            Some(_) => Side::Both,
            None => side,
        };
        sides.insert(name.clone(), (side, by.clone()));
        for target in edges.get(&name).into_iter().flatten() {
            work.push((target.clone(), side, format!("{by} via {name}")));
        }
    }
    sides.into_iter().map(|(n, (s, _))| (n, s)).collect()
}

/// Reads `types.md`: one shared struct per `##` section (its rows relative to
/// it), or one shared enum where the section's single row is named like it.
pub fn types(
    table: &RawTable,
    service: &Service,
    sides: &BTreeMap<String, Side>,
) -> Result<Module> {
    let header = Header::new(table, &["kind", "service"])?;
    expect_kind(table, &header, "types")?;
    check_service(table, &header, service)?;
    if table.title != "types" {
        return Err(table.error(1, "the title of types.md is `# types`"));
    }
    let mut builder = Builder::new(table);
    let mut seen = BTreeSet::new();
    for section in table.sections.iter().filter(|s| !s.rows.is_empty()) {
        let name = section.title.as_str();
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid || pascal(name) != name {
            return Err(table.error(
                section.line,
                format!("a shared type's section is named in PascalCase, found `{name}`"),
            ));
        }
        if !seen.insert(name.to_owned()) {
            return Err(table.error(section.line, format!("a second `## {name}` section")));
        }
        builder.struct_by_path.clear();
        builder.context = Some(name.to_owned());
        if let [row] = section.rows.as_slice() {
            if row.name == name {
                // A standalone enum: `## ModelCode` with one row `ModelCode`.
                let (base, annotations) = parse_type_cell(&row.ty)
                    .map_err(|m| table.error(row.line, format!("`{}`: {m}", row.name)))?;
                if !annotations.contains_key("enum") || annotations.contains_key("name") {
                    return Err(table.error(
                        row.line,
                        format!("`{name}`: a one-row section named like its row defines a shared enum: `string {{enum: ...}}`"),
                    ));
                }
                let ty = builder.build_type(
                    row,
                    &base,
                    &annotations,
                    "",
                    Side::Request,
                    &BTreeSet::new(),
                    false,
                )?;
                let is_named = matches!(ty, Ty::Enum(index) if builder.enums[index].name == name);
                if !is_named {
                    return Err(table.error(row.line, format!("`{name}`: expected a shared enum")));
                }
                if !section.text.is_empty() {
                    if let Ty::Enum(index) = ty {
                        builder.enums[index].description = section.text.clone();
                    }
                }
                continue;
            }
        }
        let side = *sides.get(name).ok_or_else(|| {
            table.error(
                section.line,
                format!("shared type `{name}` is used by no table (refer to it with {{ref: {name}}}, or remove it)"),
            )
        })?;
        if side == Side::Both {
            if let Some(row) = section.rows.iter().find(|r| r.required.trim() != "no") {
                return Err(table.error(
                    row.line,
                    format!("shared type `{name}` is used by requests and responses: its fields are optional (`{}` is `{}`)", row.name, row.required),
                ));
            }
        }
        let struct_name = builder.claim(Some(name), name, "", section.line)?;
        builder.new_struct(struct_name, "", &section.text, side, section.line);
        builder.add_rows(&section.rows, "", Location::Body, side)?;
    }
    builder.context = None;
    builder.check_rules()?;
    Ok(Module {
        file: table.file.clone(),
        title: table.title.clone(),
        summary: table.summary.clone(),
        name: "types".into(),
        kind: ModuleKind::Types,
        structs: builder.structs,
        enums: builder.enums,
        fixed: builder.fixed,
        refs: builder.refs,
    })
}

/// Checks every `{ref: ...}` of a service: the shared type exists, is a
/// struct on an object row and an enum on a string row.
pub fn check_refs(service: &Service, files: &BTreeMap<String, RawTable>) -> Result<()> {
    let types = service
        .modules
        .iter()
        .find(|m| matches!(m.kind, ModuleKind::Types));
    for module in &service.modules {
        let Some(raw) = files.get(&module.file) else {
            continue;
        };
        for field in module.structs.iter().flat_map(|s| &s.fields) {
            let Some((name, enum_like)) = ref_of(&field.ty) else {
                continue;
            };
            let line = field.line;
            let fits = match types.and_then(|t| t.find_type(name)) {
                Some(TypeRef::Struct(_)) => !enum_like,
                Some(TypeRef::Enum(_)) => enum_like,
                None => {
                    return Err(raw.error(
                        line,
                        format!(
                            "{{ref: {name}}}: no shared type `{name}` in docs/apis/{}/types.md",
                            service.key
                        ),
                    ));
                }
            };
            if !fits {
                return Err(raw.error(
                    line,
                    format!("{{ref: {name}}}: a struct is referred to from an object row, an enum from a string row"),
                ));
            }
        }
    }
    Ok(())
}

/// The shared type a field's type refers to (through arrays): name, enum-like.
pub fn ref_of(ty: &Ty) -> Option<(&str, bool)> {
    match ty {
        Ty::Ref { name, enum_like } => Some((name, *enum_like)),
        Ty::Array(item) => ref_of(item),
        _ => None,
    }
}
