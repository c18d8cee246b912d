//! Reading a data file front to back, a row at a time: CSV through the
//! `csv` crate, JSON through serde_json one entry at a time, so memory does
//! not grow with the file. Each row, or each reason a row is bad, is handed
//! on as it is read; only a file that cannot be read as its format at all
//! (no header, not JSON) stops the reading. What a row is — a fact value, a
//! work product — is the [`Rows`] type's to say.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;

use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{COLUMNS, FactRow, Format};
use crate::scoring::{Error, Result, RowError};

/// What reading hands on: a row, or why one is bad.
#[derive(Debug)]
pub enum Read1<T> {
    /// A row as the file gives it.
    Row(T),
    /// A row that cannot be read.
    Bad(RowError),
}

/// A kind of row a data file holds.
pub trait Rows: Sized {
    /// The CSV columns the header must name, in any order.
    const REQUIRED: &'static [&'static str];
    /// The CSV columns it may name besides; empty when it does not.
    const OPTIONAL: &'static [&'static str];
    /// The key of a JSON object that holds the list of entries.
    const LIST: &'static str;
    /// A CSV record's row: `fields` as [`Rows::REQUIRED`] then
    /// [`Rows::OPTIONAL`] name them (trimmed; empty when absent).
    fn from_csv(at: String, fields: &[&str]) -> std::result::Result<Self, String>;
    /// A JSON entry's rows (one entry may hold several), or why it is bad.
    fn from_json(at: &str, entry: Value) -> Vec<Read1<Self>>;
}

impl Rows for FactRow {
    const REQUIRED: &'static [&'static str] = &COLUMNS;
    const OPTIONAL: &'static [&'static str] = &[];
    const LIST: &'static str = "facts";

    fn from_csv(at: String, f: &[&str]) -> std::result::Result<FactRow, String> {
        Ok(FactRow {
            at,
            subject: f[0].to_string(),
            period: f[1].to_string(),
            fact: f[2].to_string(),
            value: f[3].to_string(),
            source: f[4].to_string(),
        })
    }

    fn from_json(at: &str, entry: Value) -> Vec<Read1<FactRow>> {
        entry_rows(at, entry)
    }
}

/// Reads `source` as `format` (or, when none is given, as CSV or JSON by the
/// file's extension, else by its first character), handing each row to
/// `sink` until it answers `false`. The file's SHA-256, in hex.
pub(crate) fn read<T: Rows>(
    file: &str,
    source: impl Read,
    format: Option<Format>,
    sink: &mut dyn FnMut(Read1<T>) -> bool,
) -> Result<String> {
    let mut hashed = Hashed {
        inner: source,
        hash: Sha256::new(),
    };
    {
        let mut reader = BufReader::with_capacity(64 << 10, &mut hashed);
        let head = reader
            .fill_buf()
            .map_err(|e| Error::BadFile(format!("{file} cannot be read: {e}")))?;
        let bom = head.starts_with(b"\xEF\xBB\xBF");
        let first = head[if bom { 3 } else { 0 }..]
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .copied();
        if bom {
            reader.consume(3);
        }
        let json = match format {
            Some(f) => f == Format::Json,
            None if file.ends_with(".json") => true,
            None if file.ends_with(".csv") => false,
            None => matches!(first, Some(b'[' | b'{')),
        };
        if json {
            read_json(file, &mut reader, sink)?;
        } else {
            read_csv(file, &mut reader, sink)?;
        }
        // Whatever the reader left (a trailing newline, the rest after the
        // sink stopped) is part of the file all the same.
        std::io::copy(&mut reader, &mut std::io::sink())
            .map_err(|e| Error::BadFile(format!("{file} cannot be read: {e}")))?;
    }
    Ok(crate::runtime::cache::hex(&hashed.hash.finalize()))
}

/// A reader that hashes what passes through it.
struct Hashed<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Hashed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// Where the line breaks of a file are, from the last record on: enough to
/// tell the line a record starts on as an editor counts lines (the `csv`
/// crate's own count skips blank lines and counts `\r\n` unevenly).
#[derive(Default)]
struct Breaks {
    /// Line feeds before the first kept.
    before: usize,
    newlines: VecDeque<u64>,
    returns: VecDeque<u64>,
}

impl Breaks {
    /// The line of the first character at or after `byte` that is not a line
    /// break; forgets the breaks before `byte` (records come in order).
    fn line_at(&mut self, byte: u64) -> usize {
        while self.newlines.front().is_some_and(|&n| n < byte) {
            self.newlines.pop_front();
            self.before += 1;
        }
        while self.returns.front().is_some_and(|&n| n < byte) {
            self.returns.pop_front();
        }
        let (mut at, mut n, mut r) = (byte, 0, 0);
        loop {
            if self.newlines.get(n) == Some(&at) {
                n += 1;
            } else if self.returns.get(r) == Some(&at) {
                r += 1;
            } else {
                break;
            }
            at += 1;
        }
        self.before + n + 1
    }
}

/// A reader that notes where the line breaks are.
struct Counted<R> {
    inner: R,
    offset: u64,
    breaks: Rc<RefCell<Breaks>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.borrow_mut();
        for (i, b) in buf[..n].iter().enumerate() {
            match b {
                b'\n' => breaks.newlines.push_back(self.offset + i as u64),
                b'\r' => breaks.returns.push_back(self.offset + i as u64),
                _ => {}
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// CSV with a header naming the row type's columns, in any order.
fn read_csv<T: Rows>(
    file: &str,
    source: impl Read,
    sink: &mut dyn FnMut(Read1<T>) -> bool,
) -> Result<()> {
    let breaks = Rc::new(RefCell::new(Breaks::default()));
    let counted = Counted {
        inner: source,
        offset: 0,
        breaks: breaks.clone(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(counted);
    let headers = reader
        .headers()
        .map_err(|e| Error::BadFile(format!("{file}: the header cannot be read: {e}")))?
        .clone();
    let mut index: Vec<Option<usize>> = Vec::with_capacity(T::REQUIRED.len() + T::OPTIONAL.len());
    for column in T::REQUIRED {
        let at = headers.iter().position(|h| h == *column).ok_or_else(|| {
            Error::BadFile(format!(
                "{file}: the header must name the columns {}{}; it has: {}",
                T::REQUIRED.join(","),
                if T::OPTIONAL.is_empty() {
                    String::new()
                } else {
                    format!(" (and may name {})", T::OPTIONAL.join(","))
                },
                headers.iter().collect::<Vec<_>>().join(",")
            ))
        })?;
        index.push(Some(at));
    }
    for column in T::OPTIONAL {
        index.push(headers.iter().position(|h| h == *column));
    }
    let mut record = csv::StringRecord::new();
    loop {
        let read = reader.read_record(&mut record);
        let line =
            |p: Option<&csv::Position>| p.map_or(0, |p| breaks.borrow_mut().line_at(p.byte()));
        let item = match read {
            Ok(false) => return Ok(()),
            Err(e) => Read1::Bad(RowError {
                at: format!("line {}", line(e.position())),
                reason: format!("cannot be read as CSV: {e}"),
            }),
            Ok(true) if record.len() != headers.len() => Read1::Bad(RowError {
                at: format!("line {}", line(record.position())),
                reason: format!(
                    "has {} fields; the header has {}",
                    record.len(),
                    headers.len()
                ),
            }),
            Ok(true) => {
                let at = format!("line {}", line(record.position()));
                let fields: Vec<&str> = index
                    .iter()
                    .map(|k| k.and_then(|k| record.get(k)).unwrap_or_default())
                    .collect();
                match T::from_csv(at.clone(), &fields) {
                    Ok(row) => Read1::Row(row),
                    Err(reason) => Read1::Bad(RowError { at, reason }),
                }
            }
        };
        if !sink(item) {
            return Ok(());
        }
    }
}

/// JSON: a list (or `{"facts": [...]}`) of entries, each either one value —
/// `{"subject_id", "period", "fact", "value", "source"}` — or one subject's
/// sheet — `{"subject_id", "period", "source", "facts": {name: value}}`.
/// Values are decimals as strings or numbers; numbers keep their text.
fn read_json<T: Rows>(
    file: &str,
    source: impl Read,
    sink: &mut dyn FnMut(Read1<T>) -> bool,
) -> Result<()> {
    let mut de = serde_json::Deserializer::from_reader(source);
    let mut entries = Entries { sink, count: 0 };
    let done = serde::Deserializer::deserialize_any(&mut de, TopLevel(&mut entries))
        .and_then(|()| de.end());
    match done {
        Ok(()) => Ok(()),
        Err(_) if entries.count == usize::MAX => Ok(()),
        Err(e) if e.to_string().contains(NOT_A_LIST) => Err(Error::BadFile(format!(
            "{file}: expected a list of entries, or an object whose `{}` is one",
            T::LIST
        ))),
        Err(e) => Err(Error::BadFile(format!("{file} is not valid JSON: {e}"))),
    }
}

const NOT_A_LIST: &str = "not a list of entries";

/// Where the entries go, and how many have gone (`usize::MAX` once the sink
/// has stopped taking them).
struct Entries<'s, T> {
    sink: &'s mut dyn FnMut(Read1<T>) -> bool,
    count: usize,
}

impl<T: Rows> Entries<'_, T> {
    /// One entry: its rows, or why it is bad. False once the sink stops.
    fn take(&mut self, entry: Value) -> bool {
        self.count += 1;
        let at = format!("entry {}", self.count);
        let rows = T::from_json(&at, entry);
        for item in rows {
            if !(self.sink)(item) {
                self.count = usize::MAX;
                return false;
            }
        }
        true
    }
}

/// The document: a list of entries, or an object holding one as `facts`.
struct TopLevel<'e, 's, T>(&'e mut Entries<'s, T>);

impl<'de, T: Rows> Visitor<'de> for TopLevel<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(NOT_A_LIST)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<(), A::Error> {
        EntryList(self.0).visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == T::LIST && !found {
                map.next_value_seed(EntryList(&mut *self.0))?;
                found = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if found {
            Ok(())
        } else {
            Err(A::Error::custom(NOT_A_LIST))
        }
    }

    // Anything else at the top is not a list of entries.
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> std::result::Result<(), E> {
        Err(E::custom(NOT_A_LIST))
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> std::result::Result<(), E> {
        Err(E::custom(NOT_A_LIST))
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> std::result::Result<(), E> {
        Err(E::custom(NOT_A_LIST))
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> std::result::Result<(), E> {
        Err(E::custom(NOT_A_LIST))
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> std::result::Result<(), E> {
        Err(E::custom(NOT_A_LIST))
    }
    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<(), E> {
        Err(E::custom(NOT_A_LIST))
    }
}

/// A list of entries, each read whole (an entry is one subject's sheet at
/// most) and handed on before the next is read.
struct EntryList<'e, 's, T>(&'e mut Entries<'s, T>);

impl<'de, T: Rows> DeserializeSeed<'de> for EntryList<'_, '_, T> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Rows> Visitor<'de> for EntryList<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(NOT_A_LIST)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(entry) = seq.next_element::<Value>()? {
            if !self.0.take(entry) {
                // The sink has stopped: end the reading here.
                return Err(A::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

/// One entry's rows, or why it is bad.
fn entry_rows(at: &str, entry: Value) -> Vec<Read1<FactRow>> {
    let bad = |reason: String| {
        vec![Read1::Bad(RowError {
            at: at.to_string(),
            reason,
        })]
    };
    let Value::Object(mut o) = entry else {
        return bad("is not an object".into());
    };
    let mut text = |key: &str, required: bool| -> std::result::Result<String, String> {
        match o.remove(key) {
            Some(Value::String(s)) => Ok(s),
            None | Some(Value::Null) if !required => Ok(String::new()),
            None => Err(format!("has no `{key}`")),
            Some(other) => Err(format!("`{key}` is {other}, not a string")),
        }
    };
    let head = (|| {
        Ok::<_, String>((
            text("subject_id", true)?,
            text("period", true)?,
            text("source", false)?,
        ))
    })();
    let (subject, period, source) = match head {
        Ok(h) => h,
        Err(reason) => return bad(reason),
    };
    let values: Vec<(String, Value)> =
        match (o.remove("facts"), o.remove("fact"), o.remove("value")) {
            (Some(Value::Object(facts)), None, None) => facts.into_iter().collect(),
            (None, Some(Value::String(fact)), Some(value)) => vec![(fact, value)],
            _ => return bad("needs either `fact` and `value`, or a `facts` object".into()),
        };
    if let Some(key) = o.keys().next() {
        return bad(format!("has an unknown field `{key}`"));
    }
    values
        .into_iter()
        .map(|(fact, value)| match value {
            Value::String(s) => Read1::Row(FactRow {
                at: at.to_string(),
                subject: subject.clone(),
                period: period.clone(),
                fact,
                value: s,
                source: source.clone(),
            }),
            // Arbitrary precision keeps the number's text: no f64 on the way.
            Value::Number(n) => Read1::Row(FactRow {
                at: at.to_string(),
                subject: subject.clone(),
                period: period.clone(),
                fact,
                value: n.to_string(),
                source: source.clone(),
            }),
            other => Read1::Bad(RowError {
                at: at.to_string(),
                reason: format!("value of `{fact}` is {other}, not a decimal"),
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(file: &str, text: &str) -> Result<Vec<Read1<FactRow>>> {
        let mut out = Vec::new();
        read(file, text.as_bytes(), None, &mut |r| {
            out.push(r);
            true
        })?;
        Ok(out)
    }

    fn rows(items: &[Read1<FactRow>]) -> Vec<&FactRow> {
        items
            .iter()
            .filter_map(|i| match i {
                Read1::Row(r) => Some(r),
                Read1::Bad(_) => None,
            })
            .collect()
    }

    #[test]
    fn csv_rows_keep_their_lines_and_text() {
        let items = all(
            "f.csv",
            "\u{feff}subject_id,period,fact,value,source\na,2025-09,x,99.10,\"Sổ, hồ sơ\"\n\nb,2025,y,3,s\r\n\r\n\r\nc,1,2,3,4\n\"q\nr\",1,2,3,4\nz,1,2,3,4",
        )
        .unwrap();
        let rows = rows(&items);
        let lines: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.subject.as_str(), r.at.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                ("a", "line 2"),
                ("b", "line 4"),
                ("c", "line 7"),
                ("q\nr", "line 8"),
                ("z", "line 10")
            ]
        );
        assert_eq!(rows[0].value, "99.10");
        assert_eq!(rows[0].source, "Sổ, hồ sơ");
    }

    #[test]
    fn json_numbers_keep_their_text_and_bad_entries_are_named() {
        let items = all(
            "f.json",
            r#"{"note": "x", "facts": [{"subject_id":"a","period":"2025","facts":{"x":0.1000000000000000055511151231257827,"y":"2"}},
                {"subject_id":"b","period":"2025","fact":"x","value":12.5,"source":"s"},
                {"subject_id":"a","period":"2025","fact":"x","value":true}, 3]}"#,
        )
        .unwrap();
        let good = rows(&items);
        assert_eq!(good[0].value, "0.1000000000000000055511151231257827");
        assert_eq!(
            (good[2].value.as_str(), good[2].at.as_str()),
            ("12.5", "entry 2")
        );
        let bad: Vec<&str> = items
            .iter()
            .filter_map(|i| match i {
                Read1::Bad(e) => Some(e.at.as_str()),
                Read1::Row(_) => None,
            })
            .collect();
        assert_eq!(bad, ["entry 3", "entry 4"]);
    }

    #[test]
    fn a_file_that_is_not_its_format_is_refused_whole() {
        let not_a_list = all("f.json", r#"{"rows": 1}"#);
        assert!(
            matches!(&not_a_list, Err(Error::BadFile(m)) if m.contains("expected a list of entries")),
            "{not_a_list:?}"
        );
        let broken = all("f.json", r#"[{"subject_id": "#);
        assert!(
            matches!(&broken, Err(Error::BadFile(m)) if m.contains("is not valid JSON")),
            "{broken:?}"
        );
        let header = all("f.csv", "subject,period,fact,value\n");
        assert!(
            matches!(&header, Err(Error::BadFile(m)) if m.contains("subject_id,period,fact,value,source")),
            "{header:?}"
        );
    }

    #[test]
    fn the_hash_is_of_every_byte() {
        let text = "subject_id,period,fact,value,source\na,2025,x,1,s\n\n\n";
        let hash = read::<FactRow>("f.csv", text.as_bytes(), None, &mut |_| true).unwrap();
        assert_eq!(hash, crate::runtime::sha256_hex(text.as_bytes()));
        let stopped = read::<FactRow>("f.csv", text.as_bytes(), None, &mut |_| false).unwrap();
        assert_eq!(stopped, hash);
    }
}
