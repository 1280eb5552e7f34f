//! Files written whole or not at all: through a temporary file in the same folder and a rename,
//! so a reader (or a run killed halfway) sees the old content or the new, never half of it.

use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;

/// Write `content` to `path`, creating its folder.
pub fn write(path: &Path, content: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(content)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// [`write`] unless the file already holds `content`; returns whether it wrote.
pub fn write_if_changed(path: &Path, content: &[u8]) -> io::Result<bool> {
    if std::fs::read(path).is_ok_and(|have| have == content) {
        return Ok(false);
    }
    write(path, content)?;
    Ok(true)
}

/// `value` as pretty JSON with a final newline.
pub fn write_json(path: &Path, value: &impl Serialize) -> io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    text.push('\n');
    write(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_skips_unchanged_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.json");
        write_json(&path, &serde_json::json!({"x": 1})).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\n  \"x\": 1\n}\n"
        );
        assert!(!write_if_changed(&path, b"{\n  \"x\": 1\n}\n").unwrap());
        assert!(write_if_changed(&path, b"y").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"y");
        // Nothing else is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
    }
}
