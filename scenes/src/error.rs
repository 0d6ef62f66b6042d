//! Scene errors, and how a byte span in the scene text becomes "line 12, field medium.x".

use std::ops::Range;
use std::path::PathBuf;

use thiserror::Error;

/// Why a scene could not be loaded. Every variant displays as one self-contained paragraph;
/// errors about a value name the file, the line and the dotted field path
/// (`scene.toml line 12, field medium.sound_speed_m_s: must be positive (got -1500)`).
#[derive(Debug, Error)]
pub enum SceneError {
    /// The scene file could not be read.
    #[error("could not read scene file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A field has a wrong, missing, unknown or inconsistent value.
    #[error("{file} line {line}, field {field}: {message}")]
    Field {
        /// The scene file's name (or `scene` for text without a file).
        file: String,
        /// 1-based line of the offending key or value.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// Dotted path of the field, with array indices: `medium.region[1].radius_m`.
        field: String,
        message: String,
    },
    /// The text is not valid TOML.
    #[error("{file} line {line}, column {column}: invalid TOML: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A problem that belongs to no single line.
    #[error("{file}: {message}")]
    Scene { file: String, message: String },
}

impl SceneError {
    /// The 1-based line the error points at, when it points at one.
    pub fn line(&self) -> Option<usize> {
        match self {
            SceneError::Field { line, .. } | SceneError::Syntax { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// The dotted field path the error names, when it names one.
    pub fn field(&self) -> Option<&str> {
        match self {
            SceneError::Field { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// Turns byte spans of the scene text into lines, columns and field paths.
pub(crate) struct Locator<'a> {
    file: String,
    text: &'a str,
    doc: Option<toml_edit::ImDocument<&'a str>>,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(file: &str, text: &'a str) -> Self {
        Self {
            file: file.to_string(),
            text,
            doc: toml_edit::ImDocument::parse(text).ok(),
        }
    }

    /// 1-based (line, column) of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// The dotted path of the innermost key or value whose span holds `span.start`.
    pub(crate) fn path_at(&self, span: &Range<usize>) -> Option<String> {
        let doc = self.doc.as_ref()?;
        let mut best = None;
        walk_table(doc.as_table(), "", span.start, &mut best);
        best
    }

    /// An error about the value at `span`.
    pub(crate) fn at(&self, span: &Range<usize>, message: impl Into<String>) -> SceneError {
        let field = self
            .path_at(span)
            .unwrap_or_else(|| "(top level)".to_string());
        self.named(span, field, message)
    }

    /// An error about a field named explicitly, located at `span`.
    pub(crate) fn named(
        &self,
        span: &Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> SceneError {
        let (line, column) = self.line_col(span.start);
        SceneError::Field {
            file: self.file.clone(),
            line,
            column,
            field: field.into(),
            message: message.into(),
        }
    }

    /// An error about the field `name` beside the value at `span` (same table), for a field
    /// that is missing or should not be there.
    pub(crate) fn sibling(
        &self,
        span: &Range<usize>,
        name: &str,
        message: impl Into<String>,
    ) -> SceneError {
        let field = match self.path_at(span) {
            Some(path) => match parent_path(&path) {
                Some(parent) => format!("{parent}.{name}"),
                None => name.to_string(),
            },
            None => name.to_string(),
        };
        self.named(span, field, message)
    }

    /// Checks which keys of a table are given: every key in `present` that is given must be
    /// in `required` or `optional`, and every key in `required` must be given. `owner` names
    /// what takes the keys (`shape "sphere"`), `owner_span` locates a key of the same table.
    pub(crate) fn check_keys(
        &self,
        owner: &str,
        owner_span: &Range<usize>,
        present: &[(&str, Option<Range<usize>>)],
        required: &[&str],
        optional: &[&str],
    ) -> Result<(), SceneError> {
        let mut takes = required.join(", ");
        if !optional.is_empty() {
            if !takes.is_empty() {
                takes.push_str(", and optionally ");
            } else {
                takes.push_str("optionally ");
            }
            takes.push_str(&optional.join(", "));
        }
        for (key, span) in present {
            if let Some(span) = span {
                if !required.contains(key) && !optional.contains(key) {
                    return Err(self.at(span, format!("not used by {owner} (it takes {takes})")));
                }
            }
        }
        for key in required {
            if present.iter().any(|(k, s)| k == key && s.is_none()) {
                return Err(self.sibling(
                    owner_span,
                    key,
                    format!("required by {owner} (it takes {takes})"),
                ));
            }
        }
        Ok(())
    }

    /// The span of a table given by its keys (`["source", "pressure"]`), if the text has it.
    pub(crate) fn table_span(&self, keys: &[&str]) -> Option<Range<usize>> {
        let mut table = self.doc.as_ref()?.as_table();
        for (i, key) in keys.iter().enumerate() {
            match table.get(key)? {
                toml_edit::Item::Table(t) => {
                    if i + 1 == keys.len() {
                        return t.span().or_else(|| table.key(key).and_then(|k| k.span()));
                    }
                    table = t;
                }
                _ => return table.key(key).and_then(|k| k.span()),
            }
        }
        None
    }

    /// An error with no line.
    pub(crate) fn general(&self, message: impl Into<String>) -> SceneError {
        SceneError::Scene {
            file: self.file.clone(),
            message: message.into(),
        }
    }

    /// Converts a toml/serde error into a located scene error.
    pub(crate) fn toml_error(&self, error: toml::de::Error) -> SceneError {
        let raw = error.message().trim().replace('\n', "; ");
        let message = friendlier(&raw);
        let Some(span) = error.span() else {
            return self.general(message);
        };
        if self.doc.is_none() {
            let (line, column) = self.line_col(span.start);
            return SceneError::Syntax {
                file: self.file.clone(),
                line,
                column,
                message,
            };
        }
        let path = self.path_at(&span);
        if let Some(missing) = between(&raw, "missing field `", "`") {
            // The span is the table's: find which table has exactly that span.
            let table = self.doc.as_ref().and_then(|doc| {
                let mut found = None;
                exact_table(doc.as_table(), "", &span, &mut found);
                found
            });
            return match table {
                Some(t) => self.named(&span, format!("{t}.{missing}"), "required but missing"),
                None => self.general(format!("the [{missing}] table is required but missing")),
            };
        }
        if raw.starts_with("unknown field") {
            let expected = raw
                .split_once(", expected ")
                .map(|(_, rest)| format!("; expected {rest}"))
                .unwrap_or_default();
            return self.named(
                &span,
                path.unwrap_or_else(|| "(top level)".into()),
                format!("unknown field (a typo?){expected}"),
            );
        }
        self.named(&span, path.unwrap_or_else(|| "(top level)".into()), message)
    }
}

fn between<'s>(text: &'s str, start: &str, end: &str) -> Option<&'s str> {
    let rest = &text[text.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

/// Serde's type names in words a scene author reads.
fn friendlier(message: &str) -> String {
    message
        .replace("expected f64", "expected a number")
        .replace("expected usize", "expected a non-negative integer")
        .replace("expected a boolean", "expected true or false")
        .replace("expected a sequence", "expected an array")
}

fn parent_path(path: &str) -> Option<&str> {
    // The last segment is `.name` or `[i]`.
    let cut = path.rfind(['.', '['])?;
    Some(&path[..cut])
}

fn contains(span: Option<Range<usize>>, offset: usize) -> bool {
    span.is_some_and(|s| s.start <= offset && offset < s.end.max(s.start + 1))
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The path of the table (header or inline) whose span is exactly `span`.
fn exact_table(
    table: &toml_edit::Table,
    prefix: &str,
    span: &Range<usize>,
    found: &mut Option<String>,
) {
    let same = |s: Option<Range<usize>>| s.as_ref() == Some(span);
    for (key, item) in table.iter() {
        let path = join(prefix, key);
        match item {
            toml_edit::Item::Table(t) => {
                if same(t.span()) {
                    *found = Some(path.clone());
                }
                exact_table(t, &path, span, found);
            }
            toml_edit::Item::ArrayOfTables(array) => {
                for (i, t) in array.iter().enumerate() {
                    let entry = format!("{path}[{i}]");
                    if same(t.span()) {
                        *found = Some(entry.clone());
                    }
                    exact_table(t, &entry, span, found);
                }
            }
            toml_edit::Item::Value(v) => exact_value(v, &path, span, found),
            toml_edit::Item::None => {}
        }
    }
}

fn exact_value(
    value: &toml_edit::Value,
    path: &str,
    span: &Range<usize>,
    found: &mut Option<String>,
) {
    match value {
        toml_edit::Value::InlineTable(t) => {
            if t.span().as_ref() == Some(span) {
                *found = Some(path.to_string());
            }
            for (key, v) in t.iter() {
                exact_value(v, &join(path, key), span, found);
            }
        }
        toml_edit::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                exact_value(v, &format!("{path}[{i}]"), span, found);
            }
        }
        _ => {}
    }
}

fn walk_table(table: &toml_edit::Table, prefix: &str, offset: usize, best: &mut Option<String>) {
    for (key, item) in table.iter() {
        let path = join(prefix, key);
        if contains(table.key(key).and_then(|k| k.span()), offset) {
            *best = Some(path.clone());
        }
        walk_item(item, &path, offset, best);
    }
}

fn walk_item(item: &toml_edit::Item, path: &str, offset: usize, best: &mut Option<String>) {
    match item {
        toml_edit::Item::None => {}
        toml_edit::Item::Value(value) => walk_value(value, path, offset, best),
        toml_edit::Item::Table(table) => {
            if contains(table.span(), offset) {
                *best = Some(path.to_string());
            }
            walk_table(table, path, offset, best);
        }
        toml_edit::Item::ArrayOfTables(array) => {
            for (i, table) in array.iter().enumerate() {
                let entry = format!("{path}[{i}]");
                if contains(table.span(), offset) {
                    *best = Some(entry.clone());
                }
                walk_table(table, &entry, offset, best);
            }
        }
    }
}

fn walk_value(value: &toml_edit::Value, path: &str, offset: usize, best: &mut Option<String>) {
    if !contains(value.span(), offset) {
        return;
    }
    *best = Some(path.to_string());
    match value {
        toml_edit::Value::Array(array) => {
            for (i, element) in array.iter().enumerate() {
                walk_value(element, &format!("{path}[{i}]"), offset, best);
            }
        }
        toml_edit::Value::InlineTable(table) => {
            for (key, element) in table.iter() {
                let entry = join(path, key);
                if contains(table.key(key).and_then(|k| k.span()), offset) {
                    *best = Some(entry.clone());
                }
                walk_value(element, &entry, offset, best);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_spans() {
        let text = "name = 'a'\n[medium]\nc = 1\n[[medium.region]]\nr = 2\n\
                    [[medium.region]]\nr = { x = [1, 2] }\n";
        let loc = Locator::new("s.toml", text);
        let at = |needle: &str| {
            let start = text.find(needle).unwrap();
            loc.path_at(&(start..start + needle.len()))
        };
        assert_eq!(at("c = 1").as_deref(), Some("medium.c"));
        assert_eq!(at("1\n").as_deref(), Some("medium.c"));
        assert_eq!(at("r = 2").as_deref(), Some("medium.region[0].r"));
        assert_eq!(at("2]").as_deref(), Some("medium.region[1].r.x[1]"));
        assert_eq!(loc.line_col(text.find("r = 2").unwrap()), (5, 1));
    }
}
