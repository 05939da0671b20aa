//! Dotted paths into JSON answers, as the doc tables write them
//! (`choices[].delta.content`: `[]` takes an array's first item).

use serde_json::Value;

/// The value at a dotted path (`[]` takes an array's first item).
pub(crate) fn get<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |here, segment| {
        let (key, first) = split(segment);
        let next = here.get(key)?;
        if first { next.get(0) } else { Some(next) }
    })
}

/// Sets the value at a dotted path, creating the objects (and first array
/// items) on the way.
pub(crate) fn set(value: &mut Value, path: &str, new: Value) {
    let mut here = value;
    let segments: Vec<&str> = path.split('.').collect();
    for (index, segment) in segments.iter().enumerate() {
        let (key, first) = split(segment);
        if !here.is_object() {
            *here = Value::Object(serde_json::Map::new());
        }
        let Value::Object(map) = here else { return };
        let last = index + 1 == segments.len();
        if last && !first {
            map.insert(key.to_owned(), new);
            return;
        }
        let mut slot = map.entry(key.to_owned()).or_insert(Value::Null);
        if first {
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            let Value::Array(items) = slot else { return };
            if items.is_empty() {
                items.push(Value::Null);
            }
            slot = &mut items[0];
            if last {
                *slot = new;
                return;
            }
        }
        here = slot;
    }
}

fn split(segment: &str) -> (&str, bool) {
    match segment.strip_suffix("[]") {
        Some(key) => (key, true),
        None => (segment, false),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{get, set};

    #[test]
    fn paths_read_and_create_objects_and_first_items() {
        let mut value = json!({"a": {"b": [{"c": 1}]}});
        assert_eq!(get(&value, "a.b[].c"), Some(&json!(1)));
        assert_eq!(get(&value, "a.x"), None);
        set(&mut value, "a.b[].c", json!(2));
        set(&mut value, "n.m[].k", json!("v"));
        assert_eq!(
            value,
            json!({"a": {"b": [{"c": 2}]}, "n": {"m": [{"k": "v"}]}})
        );
    }
}
