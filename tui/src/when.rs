//! A point in time as a person types it after `--expires`, `--support-until` or `--since`: an
//! RFC 3339 time, a date (midnight UTC), or an amount of time from now (`90d`, `12h`, `30m`,
//! `45s`), counted forward for a deadline and backward for "since".

use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, Time};

/// A deadline: a relative amount counts forward from now.
pub fn future(s: &str) -> Result<OffsetDateTime, String> {
    parse(s, OffsetDateTime::now_utc(), 1)
}

/// A start: a relative amount counts back from now.
pub fn past(s: &str) -> Result<OffsetDateTime, String> {
    parse(s, OffsetDateTime::now_utc(), -1)
}

fn parse(s: &str, now: OffsetDateTime, sign: i32) -> Result<OffsetDateTime, String> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = Date::parse(s, &date_format) {
        return Ok(d.with_time(Time::MIDNIGHT).assume_utc());
    }
    if let Some(unit) = s.chars().last()
        && let Ok(n) = s[..s.len() - unit.len_utf8()].parse::<i64>()
        && n >= 0
    {
        let amount = match unit {
            's' => Duration::seconds(n),
            'm' => Duration::minutes(n),
            'h' => Duration::hours(n),
            'd' => Duration::days(n),
            'w' => Duration::weeks(n),
            _ => return Err(usage(s)),
        };
        return now.checked_add(amount * sign).ok_or_else(|| format!("{s} is too far from now"));
    }
    Err(usage(s))
}

fn usage(s: &str) -> String {
    format!(
        "{s:?} is not a time: give RFC 3339 (2027-01-31T12:00:00Z), a date (2027-01-31) or an amount (90d, 12h)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_dates_and_amounts_either_way() {
        let now = datetime!(2026-12-07 04:00:00 UTC);
        assert_eq!(parse("2027-01-31T12:00:00+01:00", now, 1), Ok(datetime!(2027-01-31 11:00:00 UTC)));
        assert_eq!(parse("2027-01-31", now, 1), Ok(datetime!(2027-01-31 00:00:00 UTC)));
        assert_eq!(parse("90d", now, 1), Ok(datetime!(2027-03-07 04:00:00 UTC)));
        assert_eq!(parse("12h", now, -1), Ok(datetime!(2026-12-06 16:00:00 UTC)));
        assert_eq!(parse("2w", now, -1), Ok(datetime!(2026-11-23 04:00:00 UTC)));
        for bad in ["", "d", "-3d", "3y", "tomorrow", "2027-13-01"] {
            assert!(parse(bad, now, 1).is_err(), "{bad:?}");
        }
    }
}
