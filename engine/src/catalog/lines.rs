//! Cheap line numbers for formats whose parsers do not report them.

/// Maps byte offsets in a text to 1-based line numbers.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> u32 {
        let idx = self.starts.partition_point(|&s| s <= offset);
        u32::try_from(idx.max(1)).unwrap_or(u32::MAX)
    }
}

/// The 1-based line of the first occurrence of `"key"` (a quoted JSON key) at or after byte `from`,
/// with the byte offset just past it so repeated look-ups can walk forward through a file.
pub fn line_of_key(text: &str, index: &LineIndex, key: &str, from: usize) -> Option<(u32, usize)> {
    let needle = format!("\"{key}\"");
    let at = text.get(from..)?.find(&needle)? + from;
    Some((index.line(at), at + needle.len()))
}

/// The lines of `text` with their 1-based numbers, without `\n` or a trailing `\r`.
pub(crate) fn numbered_lines(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l.strip_suffix('\r').unwrap_or(l)))
}

/// Finds `needle` at or after byte `*cursor`, returning its line and moving the cursor past it. When
/// it is not found the cursor stays put and the line is unknown.
pub(crate) fn line_from(text: &str, index: &LineIndex, needle: &str, cursor: &mut usize) -> Option<u32> {
    let at = text.get(*cursor..)?.find(needle)? + *cursor;
    *cursor = at + needle.len();
    Some(index.line(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let t = "a\nbb\r\nccc";
        let ix = LineIndex::new(t);
        assert_eq!(ix.line(0), 1);
        assert_eq!(ix.line(2), 2);
        assert_eq!(ix.line(t.len() - 1), 3);
        assert_eq!(
            line_of_key("{\n \"x\": 1}", &LineIndex::new("{\n \"x\": 1}"), "x", 0).map(|l| l.0),
            Some(2)
        );
    }
}
