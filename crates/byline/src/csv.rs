//! CSV as RFC 4180 writes it: fields defused for spreadsheets on the way out, and rows read
//! back with the line each starts on, so an error names it.

/// One field as CSV: quoted when it holds a comma, quote or line break; prefixed with `'`
/// when it starts like a formula (`=`, `+`, `-`, `@`, tab, carriage return).
pub fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A row and the line of the file it starts on (from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Why a file is not CSV, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct CsvError {
    pub line: usize,
    pub problem: &'static str,
}

/// Reads every row of `text` (a byte-order mark and blank lines are skipped; lines end in LF,
/// CRLF or CR).
/// Quoted fields may hold commas, doubled quotes and line breaks; a quote inside an unquoted
/// field, text after a closing quote, or a quote left open is an error naming its line.
pub fn rows(text: &str) -> Result<Vec<Row>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let (mut fields, mut current) = (Vec::new(), String::new());
    let (mut line, mut start) = (1, 1);
    // Whether the field being read was quoted, and is still inside its quotes.
    let (mut quoted, mut inside) = (false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if inside {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    current.push('"');
                }
                '"' => inside = false,
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' | '\r' => {
                    line += 1;
                    current.push('\n');
                }
                _ => current.push(c),
            }
            continue;
        }
        match c {
            '"' if current.is_empty() && !quoted => (quoted, inside) = (true, true),
            '"' => {
                return Err(CsvError {
                    line,
                    problem: "a quote inside a field that is not quoted (write it as \"\" inside quotes)",
                });
            }
            ',' => {
                fields.push(std::mem::take(&mut current));
                quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            // A line end: LF, CRLF, or CR alone (old Mac files).
            '\n' | '\r' => {
                fields.push(std::mem::take(&mut current));
                if fields.len() > 1 || !fields[0].is_empty() || quoted {
                    rows.push(Row {
                        line: start,
                        fields: std::mem::take(&mut fields),
                    });
                }
                fields.clear();
                quoted = false;
                line += 1;
                start = line;
            }
            _ if quoted => {
                return Err(CsvError {
                    line,
                    problem: "text after a field's closing quote",
                });
            }
            _ => current.push(c),
        }
    }
    if inside {
        return Err(CsvError {
            line: start,
            problem: "a quoted field is never closed",
        });
    }
    fields.push(current);
    if fields.len() > 1 || !fields[0].is_empty() || quoted {
        rows.push(Row {
            line: start,
            fields,
        });
    }
    Ok(rows)
}

/// A field as [`field`] wrote it: the `'` that defused a formula-like start taken off again.
pub fn undefused(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_defused_and_read_back() {
        let values = ["/a,b", "say \"hi\"", "two\nlines", "=SUM(A1)", "plain", ""];
        let line: Vec<String> = values.iter().map(|v| field(v)).collect();
        let text = format!("from,to\r\n{}\r\n", line.join(","));
        let read = rows(&text).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[1].line, 2);
        let back: Vec<&str> = read[1].fields.iter().map(|f| undefused(f)).collect();
        assert_eq!(back, values);
    }

    #[test]
    fn rows_know_their_lines_and_bad_files_name_theirs() {
        let read = rows("\u{feff}a,b\n\n\"multi\nline\",x\nlast,row").unwrap();
        let lines: Vec<usize> = read.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 3, 5]);
        assert_eq!(read[1].fields, ["multi\nline", "x"]);
        assert_eq!(rows("a,b\nc\"d,e\n").unwrap_err().line, 2);
        assert_eq!(rows("a\n\"open,b\nmore\n").unwrap_err().line, 2);
        assert_eq!(rows("a\n\"x\"y,b\n").unwrap_err().line, 2);
        assert_eq!(rows("\"\"\n").unwrap()[0].fields, [""]);
        let old_mac = rows("a,b\r/x,/y\r\"q\rq\",z").unwrap();
        assert_eq!(
            old_mac.iter().map(|r| r.line).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(old_mac[2].fields, ["q\nq", "z"]);
    }
}
