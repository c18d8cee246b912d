//! Multi-row inserts: hundreds of thousands of rows in a few hundred
//! statements, on SQLite and PostgreSQL alike.

use sqlx::AnyConnection;

/// One value to bind. Nulls carry their column's type: PostgreSQL refuses a
/// text null in a bigint column.
#[derive(Clone, Debug)]
pub enum Cell {
    /// A text value.
    Text(String),
    /// A code from a fixed set (a grade, an outcome): bound without a copy.
    Code(&'static str),
    /// An integer.
    Int(i64),
    /// A null text.
    NullText,
    /// A null integer.
    NullInt,
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::NullText, Cell::Text)
    }
}

impl From<Option<&str>> for Cell {
    fn from(s: Option<&str>) -> Cell {
        s.map_or(Cell::NullText, Cell::from)
    }
}

impl From<Option<i64>> for Cell {
    fn from(n: Option<i64>) -> Cell {
        n.map_or(Cell::NullInt, Cell::Int)
    }
}

/// Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMS: usize = 30_000;

/// Inserts `rows` as `head VALUES (…), (…) tail`, where `head` is
/// `INSERT INTO t (a, b)` and `tail` an optional `ON CONFLICT …` clause.
/// Every row must have the same number of cells. Rows are drawn as each
/// statement needs them, so a caller can stream them rather than build all.
pub async fn insert(
    conn: &mut AnyConnection,
    head: &str,
    tail: &str,
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<u64, sqlx::Error> {
    let mut rows = rows.into_iter().peekable();
    let Some(width) = rows.peek().map(Vec::len) else {
        return Ok(0);
    };
    let per_statement = (MAX_PARAMS / width).max(1);
    // SQLite looks each named parameter (`$7`) up among those before it, so a
    // statement of thousands costs their square; anonymous `?` costs nothing.
    let anonymous = conn.backend_name() == "SQLite";
    let mut affected = 0;
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Cell>> = rows.by_ref().take(per_statement).collect();
        let mut sql = String::with_capacity(head.len() + tail.len() + chunk.len() * width * 6);
        sql.push_str(head);
        sql.push_str(" VALUES ");
        let mut n = 0;
        for (i, row) in chunk.iter().enumerate() {
            debug_assert_eq!(row.len(), width);
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..width {
                n += 1;
                if j > 0 {
                    sql.push_str(", ");
                }
                if anonymous {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(tail);
        let mut query = sqlx::query(&sql);
        for cell in chunk.into_iter().flatten() {
            query = match cell {
                Cell::Text(s) => query.bind(s),
                Cell::Code(s) => query.bind(s),
                Cell::Int(i) => query.bind(i),
                Cell::NullText => query.bind(None::<String>),
                Cell::NullInt => query.bind(None::<i64>),
            };
        }
        affected += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(affected)
}
