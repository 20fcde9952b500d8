//! The `yyyy-MM-ddTHH:mm:ssZ` UTC timestamps both schemes use, without a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Format Unix seconds as `yyyy-MM-ddTHH:mm:ssZ`.
///
/// ```
/// assert_eq!(smsauth::sign::format_timestamp(1_735_787_045), "2025-01-02T03:04:05Z");
/// ```
pub fn format_timestamp(unix: u64) -> String {
    super::v3::ascii(&timestamp_bytes(unix)).to_owned()
}

/// [`format_timestamp`] as ASCII bytes on the stack.
pub(crate) fn timestamp_bytes(unix: u64) -> [u8; 20] {
    let days = (unix / 86_400) as i64;
    let secs = (unix % 86_400) as u32;
    let (y, m, d) = civil_from_days(days);
    let y = y.clamp(0, 9999) as u32;
    let mut out = *b"0000-00-00T00:00:00Z";
    for (at, n) in
        [(0, y / 100), (2, y % 100), (5, m), (8, d), (11, secs / 3600), (14, secs / 60 % 60), (17, secs % 60)]
    {
        out[at] = b'0' + (n / 10 % 10) as u8;
        out[at + 1] = b'0' + (n % 10) as u8;
    }
    out
}

/// Parse `yyyy-MM-ddTHH:mm:ssZ` (the only form the gateway accepts) into Unix seconds.
///
/// ```
/// assert_eq!(smsauth::sign::parse_timestamp("2025-01-02T03:04:05Z"), Some(1_735_787_045));
/// assert_eq!(smsauth::sign::parse_timestamp("2025-01-02 03:04:05"), None);
/// ```
pub fn parse_timestamp(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d == 0 || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let days_in_month = match mo {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if d > days_in_month || y < 1970 {
        return None;
    }
    let days = days_from_civil(y as i64, mo, d);
    Some(days as u64 * 86_400 + h as u64 * 3600 + mi as u64 * 60 + se as u64)
}

/// [`parse_timestamp`] for input a caller must fix: `InvalidInput` naming `timestamp` (and
/// showing the text) when malformed.
///
/// ```
/// assert_eq!(smsauth::sign::read_timestamp("2025-01-02T03:04:05Z").unwrap(), 1_735_787_045);
/// assert_eq!(smsauth::sign::read_timestamp("yesterday").unwrap_err().field(), Some("timestamp"));
/// ```
pub fn read_timestamp(s: &str) -> crate::Result<u64> {
    parse_timestamp(s).ok_or_else(|| {
        crate::Error::invalid_input("timestamp", format_args!("{s:?} is not a yyyy-MM-ddTHH:mm:ssZ timestamp"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_across_leap_years_and_month_ends() {
        for t in (0..4_102_444_800u64).step_by(86_399 * 7 + 13) {
            let s = format_timestamp(t);
            assert_eq!(parse_timestamp(&s), Some(t), "{s}");
        }
        assert_eq!(
            parse_timestamp("2024-02-29T00:00:00Z").map(format_timestamp).as_deref(),
            Some("2024-02-29T00:00:00Z")
        );
        assert_eq!(parse_timestamp("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_timestamp("2023-13-01T00:00:00Z"), None);
    }
}
