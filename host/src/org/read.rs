//! Reading an organisation document front to back, an entry at a time, so
//! memory does not grow with the number of subjects: each entry, or the
//! reason it is bad, is handed on as it is read. Units, posts and
//! assignments are few (a province has hundreds of units, the country a few
//! thousand) and are kept by the caller up to a cap; subjects are staged.

use std::io::Read;

use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::{AssignmentRecord, PostRecord, SubjectRecord, UnitRecord};
use crate::scoring::{Error, Result, RowError};

/// At most this many units, posts or assignments in one document: they are
/// held in memory while the document is checked. A bigger organisation is
/// loaded in several documents, since each may refer to what is stored.
pub const MAX_SMALL_SECTION: usize = 100_000;

/// What reading hands on: an entry with its place in its section (from 0),
/// or why one is bad.
#[derive(Debug)]
pub(crate) enum Entry {
    Unit(usize, UnitRecord),
    Post(usize, PostRecord),
    Subject(usize, SubjectRecord),
    Assignment(usize, AssignmentRecord),
    /// The month from which the document's moves take effect.
    From(String),
    Bad(RowError),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Units,
    Posts,
    Subjects,
    Assignments,
}

impl Section {
    fn of(key: &str) -> Option<Section> {
        Some(match key {
            "units" => Section::Units,
            "posts" => Section::Posts,
            "subjects" => Section::Subjects,
            "assignments" => Section::Assignments,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Section::Units => "units",
            Section::Posts => "posts",
            Section::Subjects => "subjects",
            Section::Assignments => "assignments",
        }
    }

    /// An entry of this section, or why it is bad.
    fn entry(self, i: usize, raw: &RawValue) -> Entry {
        // The entry's text is read as its record at once; only a bad one is
        // read as a JSON value too, to name it.
        let text = raw.get();
        let read = match self {
            Section::Units => serde_json::from_str(text).map(|u| Entry::Unit(i, u)),
            Section::Posts => serde_json::from_str(text).map(|p| Entry::Post(i, p)),
            Section::Subjects => serde_json::from_str(text).map(|s| Entry::Subject(i, s)),
            Section::Assignments => serde_json::from_str(text).map(|a| Entry::Assignment(i, a)),
        };
        read.unwrap_or_else(|e| {
            // Named by its code or id where it has one, so the error is
            // found without counting.
            let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            let key = ["code", "id", "post_type"]
                .iter()
                .find_map(|k| value.get(k).and_then(Value::as_str))
                .map(|k| format!(" ({k})"))
                .unwrap_or_default();
            Entry::Bad(RowError {
                at: format!("{}[{i}]{key}", self.name()),
                reason: e.to_string(),
            })
        })
    }
}

/// Reads `source` as an organisation document, handing each entry to `sink`
/// until it answers `false`. A document that is not JSON, or not an object
/// of lists, is refused whole (`BadFile`, or `BadDocument` for the shape).
pub(crate) fn read(source: impl Read, sink: &mut dyn FnMut(Entry) -> bool) -> Result<()> {
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(64 << 10, source));
    let mut stopped = false;
    let done = serde::Deserializer::deserialize_map(
        &mut de,
        Document {
            sink,
            stopped: &mut stopped,
        },
    )
    .and_then(|()| de.end());
    match done {
        Ok(()) => Ok(()),
        Err(_) if stopped => Ok(()),
        Err(e) if e.is_data() => Err(Error::BadDocument(format!("organisation: {e}"))),
        Err(e) => Err(Error::BadFile(format!(
            "the organisation document is not valid JSON: {e}"
        ))),
    }
}

const STOPPED: &str = "stopped";

/// The document: an object with any of the four lists, each at most once.
struct Document<'s, 'f> {
    sink: &'s mut dyn FnMut(Entry) -> bool,
    stopped: &'f mut bool,
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object with `units`, `posts`, `subjects` and `assignments` lists")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut seen = Vec::new();
        let mut from = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "from" && !from {
                from = true;
                let month = map.next_value::<String>()?;
                if !(self.sink)(Entry::From(month)) {
                    *self.stopped = true;
                    return Err(A::Error::custom(STOPPED));
                }
                continue;
            }
            let Some(section) = Section::of(&key) else {
                return Err(A::Error::custom(format!(
                    "unknown key `{key}`: expected `from`, `units`, `posts`, `subjects` or `assignments`"
                )));
            };
            if seen.contains(&section) {
                return Err(A::Error::custom(format!("`{key}` is given twice")));
            }
            seen.push(section);
            map.next_value_seed(List {
                section,
                sink: &mut *self.sink,
                stopped: &mut *self.stopped,
            })?;
        }
        Ok(())
    }
}

/// One section's list, each entry read whole and handed on before the next.
struct List<'s, 'f> {
    section: Section,
    sink: &'s mut dyn FnMut(Entry) -> bool,
    stopped: &'f mut bool,
}

impl<'de> DeserializeSeed<'de> for List<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for List<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "`{}` to be a list", self.section.name())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut i = 0;
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            if self.section != Section::Subjects && i == MAX_SMALL_SECTION {
                return Err(A::Error::custom(format!(
                    "more than {MAX_SMALL_SECTION} {} in one document: load them in several",
                    self.section.name()
                )));
            }
            if !(self.sink)(self.section.entry(i, &raw)) {
                *self.stopped = true;
                return Err(A::Error::custom(STOPPED));
            }
            i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        read(text.as_bytes(), &mut |e| {
            out.push(e);
            true
        })?;
        Ok(out)
    }

    #[test]
    fn entries_come_in_document_order_and_bad_ones_are_named() {
        let entries = all(
            r#"{"subjects": [{"id": "s1", "name": "A", "unit": "u", "post": "p"},
                             {"id": "s2", "name": "B", "post": "p"}],
                "units": [{"code": "u", "name": "U", "kind": "commune"}]}"#,
        )
        .unwrap();
        assert!(matches!(&entries[0], Entry::Subject(0, s) if s.id == "s1"));
        match &entries[1] {
            Entry::Bad(e) => {
                assert_eq!(e.at, "subjects[1] (s2)");
                assert!(e.reason.contains("missing field `unit`"), "{}", e.reason);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&entries[2], Entry::Unit(0, u) if u.code == "u"));
    }

    #[test]
    fn a_document_of_the_wrong_shape_is_refused_whole() {
        for (text, says) in [
            (r#"{"units": 3}"#, "`units` to be a list"),
            (r#"{"people": []}"#, "unknown key `people`"),
            (r#"{"units": [], "units": []}"#, "`units` is given twice"),
            ("[]", "an object with"),
        ] {
            match all(text) {
                Err(Error::BadDocument(m)) => assert!(m.contains(says), "{text}: {m}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        assert!(matches!(all(r#"{"units": [}"#), Err(Error::BadFile(_))));
        assert!(matches!(all(r#"{"units": []} x"#), Err(Error::BadFile(_))));
    }

    #[test]
    fn a_sink_that_stops_ends_the_reading_quietly() {
        let mut n = 0;
        read(
            r#"{"posts": [{"code": "a", "title": "A", "task_group": "g"}, {"code": "b", "title": "B", "task_group": "g"}]}"#
                .as_bytes(),
            &mut |_| {
                n += 1;
                false
            },
        )
        .unwrap();
        assert_eq!(n, 1);
    }
}
