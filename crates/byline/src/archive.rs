//! The site archive of `byline export` and `byline import site`: one gzip-compressed file of
//! JSON lines holding every table of the site and every media file, ending with a checksum.
//! The format is documented in docs/archive.md; the same site always makes the same bytes.

use std::io::{Read, Write};
use std::path::{Component, Path};

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use byline_core::archive::{Cell, TableRows};
use byline_core::store::Store;
use byline_media::MediaStore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const FORMAT: &str = "byline-site";
/// The archive version this Byline writes and the newest it reads.
pub const VERSION: u64 = 8;

/// A site read from an archive, checked line by line and against its checksum.
#[derive(Debug)]
pub struct Archive {
    pub tables: Vec<TableRows>,
    /// Media files by key (`ab/cdef….jpg`), with their bytes.
    pub media: Vec<(String, Vec<u8>)>,
}

impl Archive {
    pub fn rows(&self) -> usize {
        self.tables.iter().map(|t| t.rows.len()).sum()
    }
}

/// Reads the site out of `store` and `media`.
pub async fn collect(store: &dyn Store, media: &MediaStore) -> anyhow::Result<Archive> {
    let tables = store.dump_site().await?;
    let mut files = Vec::new();
    for key in media.keys().await? {
        let bytes = media
            .get(&key)
            .await?
            .with_context(|| format!("media file {key} vanished while exporting"))?;
        files.push((key, bytes.to_vec()));
    }
    Ok(Archive {
        tables,
        media: files,
    })
}

fn cell_json(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Int(v) => json!(v),
        Cell::Text(v) => json!(v),
    }
}

/// The archive's bytes: JSON lines, gzip-compressed with no timestamp, so equal sites give
/// equal files.
pub fn encode(archive: &Archive) -> Vec<u8> {
    let mut lines = vec![json!({"format": FORMAT, "version": VERSION}).to_string()];
    for table in &archive.tables {
        lines.push(
            json!({"table": table.table, "columns": table.columns, "rows": table.rows.len()})
                .to_string(),
        );
        for row in &table.rows {
            lines.push(Value::Array(row.iter().map(cell_json).collect()).to_string());
        }
    }
    for (key, bytes) in &archive.media {
        lines.push(json!({"media": key, "base64": BASE64.encode(bytes)}).to_string());
    }
    let mut text = String::new();
    for line in &lines {
        text.push_str(line);
        text.push('\n');
    }
    let digest = sha256_hex(&text);
    text.push_str(&json!({"end": {"lines": lines.len(), "sha256": digest}}).to_string());
    text.push('\n');
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).expect("writing to memory");
    gz.finish().expect("writing to memory")
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes the archive next to `out` and renames it into place: a crash leaves no half file.
pub fn write(archive: &Archive, out: &Path) -> anyhow::Result<u64> {
    let bytes = encode(archive);
    let name = out
        .file_name()
        .with_context(|| format!("{} is not a file name", out.display()))?;
    let temp = out.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    // The archive holds password hashes, the site's secrets and readers' addresses: only its
    // owner may read it.
    write_owner_only(&temp, &bytes)
        .and_then(|()| std::fs::rename(&temp, out))
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(bytes.len() as u64)
}

/// Writes `bytes` to a new file at `path` that only its owner may read.
fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Reads and checks a whole archive; nothing is written anywhere. Errors name the line.
pub fn read(path: &Path) -> anyhow::Result<Archive> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .with_context(|| format!("{}: not a Byline site archive (gzip)", path.display()))?;
    decode(&text).with_context(|| format!("{} is refused", path.display()))
}

/// Checks the header, the end line and the checksum, then parses every line.
pub fn decode(text: &str) -> anyhow::Result<Archive> {
    let lines: Vec<&str> = text.lines().collect();
    let header: Value = serde_json::from_str(lines.first().copied().unwrap_or_default())
        .context("line 1: not an archive header")?;
    if header["format"] != FORMAT {
        bail!("line 1: not a Byline site archive");
    }
    let version = header["version"].as_u64().context("line 1: no version")?;
    if version > VERSION {
        bail!(
            "archive version {version} is newer than this Byline reads ({VERSION}); upgrade Byline first"
        );
    }
    let end: Value = serde_json::from_str(lines.last().copied().unwrap_or_default())
        .ok()
        .filter(|v: &Value| v.get("end").is_some())
        .context("the archive is truncated: it has no end line")?;
    let body = &lines[..lines.len() - 1];
    let mut hashed = String::new();
    for line in body {
        hashed.push_str(line);
        hashed.push('\n');
    }
    let digest = sha256_hex(&hashed);
    if end["end"]["lines"].as_u64() != Some(body.len() as u64) || end["end"]["sha256"] != digest {
        bail!("the archive is corrupted: its checksum does not match its content");
    }
    parse_body(body)
}

fn parse_body(lines: &[&str]) -> anyhow::Result<Archive> {
    let mut archive = Archive {
        tables: Vec::new(),
        media: Vec::new(),
    };
    let mut expected_rows = 0;
    for (index, line) in lines.iter().enumerate().skip(1) {
        let number = index + 1;
        let value: Value =
            serde_json::from_str(line).with_context(|| format!("line {number}: not JSON"))?;
        match value {
            Value::Array(cells) => {
                let table = archive
                    .tables
                    .last_mut()
                    .filter(|_| expected_rows > 0)
                    .with_context(|| format!("line {number}: a row outside any table"))?;
                let row =
                    row_of(&cells).with_context(|| format!("line {number} ({})", table.table))?;
                table.rows.push(row);
                expected_rows -= 1;
            }
            Value::Object(ref fields) if fields.contains_key("table") => {
                if expected_rows > 0 {
                    bail!("line {number}: the table before it is missing {expected_rows} rows");
                }
                let table: TableHeader = serde_json::from_value(value)
                    .with_context(|| format!("line {number}: a table header"))?;
                expected_rows = table.rows;
                archive.tables.push(TableRows {
                    table: table.table,
                    columns: table.columns,
                    rows: Vec::new(),
                });
            }
            Value::Object(ref fields) if fields.contains_key("media") => {
                let media: MediaLine = serde_json::from_value(value)
                    .with_context(|| format!("line {number}: a media line"))?;
                if !well_formed_key(&media.media) {
                    bail!("line {number}: media key {:?} is not allowed", media.media);
                }
                let bytes = BASE64
                    .decode(media.base64)
                    .with_context(|| format!("line {number}: media {}", media.media))?;
                archive.media.push((media.media, bytes));
            }
            _ => bail!("line {number}: neither a table, a row nor a media file"),
        }
    }
    if expected_rows > 0 {
        bail!("the last table is missing {expected_rows} rows");
    }
    Ok(archive)
}

/// The cells of one row line.
fn row_of(cells: &[Value]) -> anyhow::Result<Vec<Cell>> {
    cells
        .iter()
        .map(|c| match c {
            Value::Null => Ok(Cell::Null),
            Value::Number(n) => n.as_i64().map(Cell::Int).context("not an integer"),
            Value::String(s) => Ok(Cell::Text(s.clone())),
            _ => bail!("not a number, text or null"),
        })
        .collect()
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TableHeader {
    table: String,
    columns: Vec<String>,
    rows: usize,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MediaLine {
    media: String,
    base64: String,
}

/// A relative path of plain names: an archive never writes outside the media folder.
fn well_formed_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() < 300
        && !key.starts_with('/')
        && Path::new(key).components().all(
            |c| matches!(c, Component::Normal(name) if !name.to_string_lossy().starts_with('.')),
        )
}

/// Restores `archive` into `store` (which must be empty) and `media`. An archive is not
/// trusted more than an import: story bodies are sanitized again, newsletter HTML with
/// anything that could run is refused, and so is a redirect an editor could not have set. The media files go first (each written whole before it
/// shows under its key); the tables then go in one transaction. Returns the accounts made.
pub async fn restore(
    store: &dyn Store,
    media: &MediaStore,
    archive: &Archive,
) -> anyhow::Result<Vec<(String, String)>> {
    if store.story_count().await? > 0 || store.user_count().await? > 0 {
        bail!("the store already holds a site; import a site archive into an empty one");
    }
    let mut tables = archive.tables.clone();
    clean_html(&mut tables)?;
    for (key, bytes) in &archive.media {
        media.put(key, bytes.clone()).await?;
    }
    store.restore_site(&tables).await?;
    Ok(accounts(&tables))
}

/// The column `name` of `table`'s rows, if it has it.
fn column(table: &TableRows, name: &str) -> Option<usize> {
    table.columns.iter().position(|c| c == name)
}

/// Sanitizes every story body again and refuses newsletter HTML that could run anything.
fn clean_html(tables: &mut [TableRows]) -> anyhow::Result<()> {
    for table in tables.iter_mut() {
        match table.table.as_str() {
            "stories" => {
                let Some(body) = column(table, "body_html") else {
                    continue;
                };
                for row in &mut table.rows {
                    if let Some(Cell::Text(html)) = row.get_mut(body) {
                        *html = byline_render::sanitize(html).as_str().to_owned();
                    }
                }
            }
            "newsletter_issues" | "newsletter_drafts" => {
                let Some(html) = column(table, "html_body") else {
                    continue;
                };
                for (n, row) in table.rows.iter().enumerate() {
                    if let Some(Cell::Text(body)) = row.get(html)
                        && let Some(active) = byline_render::html::active_content(body)
                    {
                        bail!(
                            "table {} row {}: its HTML holds {active}; an archive may not carry \
                             anything that runs",
                            table.table,
                            n + 1
                        );
                    }
                }
            }
            "old_addresses" => check_redirects(table)?,
            "menus" => check_menus(table)?,
            _ => {}
        }
    }
    Ok(())
}

/// Refuses a redirect set by hand whose target an editor could not have set (a `javascript:`
/// URL, another site's address written as a path).
fn check_redirects(table: &TableRows) -> anyhow::Result<()> {
    let (Some(address), Some(target)) = (column(table, "address"), column(table, "target")) else {
        return Ok(());
    };
    for (n, row) in table.rows.iter().enumerate() {
        if let (Some(Cell::Text(from)), Some(Cell::Text(to))) = (row.get(address), row.get(target))
            && let Err(e) = byline_core::redirects::hand_redirect(from, to)
        {
            bail!("table old_addresses row {}: {e}", n + 1);
        }
    }
    Ok(())
}

/// Refuses a menu whose items an editor could not have written (a link that is no path of
/// this site or http(s) URL, a tree too deep or too big).
fn check_menus(table: &TableRows) -> anyhow::Result<()> {
    let text = |row: &[Cell], name: &str| match column(table, name).and_then(|i| row.get(i)) {
        Some(Cell::Text(text)) => Some(text.clone()),
        _ => None,
    };
    for (n, row) in table.rows.iter().enumerate() {
        let input = crate::usecases::pages::MenuInput {
            slug: text(row, "slug").unwrap_or_default(),
            name: text(row, "name").unwrap_or_default(),
            location: text(row, "location").unwrap_or_default(),
            items: text(row, "items").unwrap_or_default(),
        };
        // As an editor could have saved it: the same checks, the slug kept as it is.
        match crate::usecases::pages::checked_menu(&input) {
            Ok(menu) if menu.slug.as_str() == input.slug => {}
            Ok(_) => bail!(
                "table menus row {}: the slug {:?} is not one",
                n + 1,
                input.slug
            ),
            Err(e) => bail!("table menus row {}: {e}", n + 1),
        }
    }
    Ok(())
}

/// The accounts of the `users` table: (address, role).
fn accounts(tables: &[TableRows]) -> Vec<(String, String)> {
    let Some(users) = tables.iter().find(|t| t.table == "users") else {
        return Vec::new();
    };
    let (Some(email), Some(role)) = (column(users, "email"), column(users, "role")) else {
        return Vec::new();
    };
    let text = |cell: Option<&Cell>| match cell {
        Some(Cell::Text(text)) => text.clone(),
        _ => String::new(),
    };
    users
        .rows
        .iter()
        .map(|row| (text(row.get(email)), text(row.get(role))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Archive {
        Archive {
            tables: vec![TableRows {
                table: "settings".into(),
                columns: vec!["key".into(), "value".into()],
                rows: vec![vec![Cell::Text("home.lead".into()), Cell::Text("7".into())]],
            }],
            media: vec![("ab/cd.png".into(), vec![0x89, b'P', b'N', b'G'])],
        }
    }

    fn text_of(bytes: &[u8]) -> String {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn an_archive_reads_back_as_written_and_the_same_site_makes_the_same_bytes() {
        let bytes = encode(&sample());
        assert_eq!(bytes, encode(&sample()));
        let back = decode(&text_of(&bytes)).unwrap();
        assert_eq!(back.tables, sample().tables);
        assert_eq!(back.media, sample().media);
    }

    #[test]
    fn corrupted_truncated_newer_and_escaping_archives_are_refused() {
        let text = text_of(&encode(&sample()));
        let flipped = text.replacen("home.lead", "home.leaf", 1);
        assert!(format!("{:#}", decode(&flipped).unwrap_err()).contains("corrupted"));
        let truncated: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
        assert!(format!("{:#}", decode(&truncated).unwrap_err()).contains("truncated"));
        let newer = text.replacen(
            &format!("\"version\":{VERSION}"),
            &format!("\"version\":{}", VERSION + 1),
            1,
        );
        assert!(format!("{:#}", decode(&newer).unwrap_err()).contains("newer"));
        for key in ["../x.png", "/etc/passwd", "ab/.hidden", ""] {
            assert!(!well_formed_key(key), "{key}");
        }
        assert!(well_formed_key("ab/cdef.jpg"));
    }
}
