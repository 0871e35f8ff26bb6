//! Times as the screens show them: "3m ago" from the clock `tick` gave, or a fixed date when no
//! tick arrived yet (drawing never reads the clock itself).

use time::OffsetDateTime;

/// "just now", "3m ago", "5h ago", "2d ago"; the UTC date when `now` is unknown.
pub fn ago(now: Option<OffsetDateTime>, then: OffsetDateTime) -> String {
    let Some(now) = now else { return date(then) };
    let secs = (now - then).whole_seconds();
    if secs < 0 {
        return date(then);
    }
    age(u64::try_from(secs).unwrap_or(0))
}

/// An age in seconds as "3m ago".
pub fn age(secs: u64) -> String {
    match secs {
        0..=59 => "just now".to_owned(),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=86_399 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

/// `2026-11-23 03:14` (UTC).
pub fn date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}
