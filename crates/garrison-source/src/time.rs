//! Time: civil dates of Unix times (proleptic Gregorian, UTC) and parsing of instants.
//!
//! Conversions are total on `i64` (Howard Hinnant's `days_from_civil` and its inverse), so a
//! hostile commit or advisory time never panics; parsing of ISO 8601 / RFC 3339 text is jiff's.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The current time in seconds since the Unix epoch (0 if the clock is before 1970).
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Days since 1970-01-01 of the proleptic Gregorian date `y-m-d` (`m` 1–12, `d` 1–31; other
/// values are extrapolated, not checked).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9).rem_euclid(12);
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month 1–12, day 1–31) of a count of days since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe.saturating_add(era.saturating_mul(400)) + i64::from(m <= 2);
    // `m` is 1..=12 and `d` 1..=31 by construction.
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// The UTC year of a Unix time.
pub fn year(unix: i64) -> i64 {
    civil_from_days(unix.div_euclid(DAY)).0
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
pub fn date(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today as `YYYY-MM-DD` (UTC).
pub fn today() -> String {
    date(now())
}

/// `YYYY-MM-DD HH:MM:SS UTC` of a Unix time.
pub fn datetime_utc(unix: i64) -> String {
    let secs = unix.rem_euclid(DAY);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        date(unix),
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time; `None` outside the years 0–9999, which RFC 3339
/// cannot write.
pub fn rfc3339(unix: i64) -> Option<String> {
    let (y, m, d) = civil_from_days(unix.div_euclid(DAY));
    if !(0..=9999).contains(&y) {
        return None;
    }
    let secs = unix.rem_euclid(DAY);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    ))
}

/// Whole days from `from` to `to` (rounded down, never negative).
pub fn days_between(from: i64, to: i64) -> i64 {
    (to.saturating_sub(from) / DAY).max(0)
}

/// Seconds since the Unix epoch of an ISO 8601 / RFC 3339 instant: `2024-01-18T21:36:27+01:00`,
/// `2023-08-17T13:32:44.929651Z` (fractions are dropped), a date and time without an offset
/// (read as UTC), or a date (`2024-01-31`, UTC midnight). `None` for anything else, including
/// impossible dates (`2024-02-30`).
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts.as_second());
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        // A civil date-time is never far enough out of range to fail in UTC.
        return dt
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp().as_second());
    }
    let date = s.parse::<jiff::civil::Date>().ok()?;
    Some(
        days_from_civil(
            i64::from(date.year()),
            i64::from(date.month()),
            i64::from(date.day()),
        ) * DAY,
    )
}

/// An instant the user wrote that [`parse_since`] could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}`: expected a date (2024-01-31), a date and time (2024-01-18T21:36:27+01:00; UTC without an offset), @UNIX-SECONDS, or a duration back from now (36h, 90d, 26w, 6m, 1y)"
)]
pub struct InstantError(pub String);

/// Reads a starting instant as `--since` takes it: an ISO 8601 date or date and time (see
/// [`parse_timestamp`]), `@UNIX-SECONDS`, or a duration back from `now` in hours (`h`), days
/// (`d`), weeks (`w`), months of 30 days (`m`) or years of 365 days (`y`).
pub fn parse_since(s: &str, now: i64) -> Result<i64, InstantError> {
    let t = s.trim();
    let err = || InstantError(t.to_string());
    if let Some(ts) = t.strip_prefix('@') {
        return ts.parse::<i64>().map_err(|_| err());
    }
    if let Some(unit) = t.chars().last()
        && unit.is_ascii_alphabetic()
        && t.len() > 1
        && t[..t.len() - 1].bytes().all(|b| b.is_ascii_digit())
    {
        let n: i64 = t[..t.len() - 1].parse().map_err(|_| err())?;
        let secs = match unit {
            'h' => n.saturating_mul(3600),
            'd' => n.saturating_mul(DAY),
            'w' => n.saturating_mul(7 * DAY),
            'm' => n.saturating_mul(30 * DAY),
            'y' => n.saturating_mul(365 * DAY),
            _ => return Err(err()),
        };
        return Ok(now.saturating_sub(secs));
    }
    parse_timestamp(t).ok_or_else(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_matches_jiff() {
        for days in (-800_000i64..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days);
            let j = jiff::civil::Date::new(
                i16::try_from(y).unwrap_or(0),
                i8::try_from(m).unwrap_or(0),
                i8::try_from(d).unwrap_or(0),
            );
            if (-9999..=9999).contains(&y) {
                let j = j.ok();
                assert!(j.is_some(), "{y}-{m}-{d}");
                let j = j.unwrap_or_default();
                let unix = j
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .map(|z| z.timestamp().as_second())
                    .ok();
                assert_eq!(unix, Some(days * DAY));
            }
        }
        // Extreme inputs never panic.
        for t in [i64::MIN, i64::MAX, 0, -1] {
            let _ = date(t);
            let _ = datetime_utc(t);
            let _ = rfc3339(t);
        }
    }

    #[test]
    fn formats() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_705_613_787), "2024-01-18");
        assert_eq!(datetime_utc(1_705_613_787), "2024-01-18 21:36:27 UTC");
        assert_eq!(
            rfc3339(951_782_400).as_deref(),
            Some("2000-02-29T00:00:00Z")
        );
        assert_eq!(year(-1), 1969);
        assert_eq!(days_between(10 * DAY, DAY), 0);
    }

    #[test]
    fn parsing() {
        assert_eq!(
            parse_timestamp("2024-01-18T21:36:27+01:00"),
            Some(1_705_613_787 - 3600)
        );
        assert_eq!(
            parse_timestamp("2024-01-18T20:36:27.5Z"),
            Some(1_705_610_187)
        );
        assert_eq!(parse_timestamp("2024-01-18 20:36:27"), Some(1_705_610_187));
        assert_eq!(parse_timestamp("2024-01-18"), Some(1_705_536_000));
        assert_eq!(parse_timestamp("2024-02-30"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
        let now = 1_000_000_000;
        assert_eq!(parse_since("90d", now), Ok(now - 90 * DAY));
        assert_eq!(parse_since("36h", now), Ok(now - 36 * 3600));
        assert_eq!(parse_since("@123", now), Ok(123));
        assert_eq!(parse_since("2024-01-18", now), Ok(1_705_536_000));
        for bad in ["bogus", "90x", "@x", "", "d", "2024-13-01"] {
            let e = parse_since(bad, now);
            assert!(
                e.as_ref().is_err_and(|e| e.to_string().contains("90d")),
                "{bad}: {e:?}"
            );
        }
    }
}
