//! UTC timestamps in the vendor's `yyyy-MM-ddTHH:mm:ssZ` form, without a
//! date-time dependency.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (year, month, day) to days since 1970-01-01.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats `time` as `yyyy-MM-ddTHH:mm:ssZ` (UTC, whole seconds).
pub fn format_iso8601(time: SystemTime) -> String {
    let seconds = match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let rest = seconds.rem_euclid(86_400);
    match u32::try_from(year) {
        Ok(year) if year <= 9999 => {
            let stamp = Iso8601::new(year, month, day, rest as u32);
            stamp.as_str().to_owned()
        }
        // Outside the four-digit years (never a real clock): the general form.
        _ => format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        ),
    }
}

/// A `yyyy-MM-ddTHH:mm:ssZ` stamp on the stack: what a signer writes into a
/// header on every request, written without formatting machinery.
struct Iso8601([u8; 20]);

impl Iso8601 {
    fn new(year: u32, month: u32, day: u32, second_of_day: u32) -> Self {
        fn two(out: &mut [u8], value: u32) {
            out[0] = b'0' + (value / 10 % 10) as u8;
            out[1] = b'0' + (value % 10) as u8;
        }
        let mut out = *b"0000-00-00T00:00:00Z";
        two(&mut out[0..2], year / 100);
        two(&mut out[2..4], year % 100);
        two(&mut out[5..7], month);
        two(&mut out[8..10], day);
        two(&mut out[11..13], second_of_day / 3600);
        two(&mut out[14..16], second_of_day % 3600 / 60);
        two(&mut out[17..19], second_of_day % 60);
        Self(out)
    }

    /// The stamp (ASCII digits and separators only).
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("1970-01-01T00:00:00Z")
    }
}

/// Parses `yyyy-MM-ddTHH:mm:ssZ` (fractional seconds are ignored; a missing
/// `Z` is taken as UTC, as the vendor always sends UTC).
pub fn parse_iso8601(text: &str) -> Option<SystemTime> {
    let text = text.trim().trim_end_matches('Z');
    let (date, time) = text.split_once(['T', ' '])?;
    let mut date = date.splitn(3, '-');
    let year: i64 = date.next()?.parse().ok()?;
    let month: u32 = date.next()?.parse().ok()?;
    let day: u32 = date.next()?.parse().ok()?;
    let time = time.split('.').next()?;
    let mut time = time.splitn(3, ':');
    let hour: u64 = time.next()?.parse().ok()?;
    let minute: u64 = time.next()?.parse().ok()?;
    let second: u64 = time.next()?.parse().ok()?;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = u64::try_from(days).ok()? * 86_400 + hour * 3600 + minute * 60 + second;
    Some(UNIX_EPOCH + Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_the_vendor_form() {
        let time = parse_iso8601("2023-10-26T10:22:32Z").unwrap();
        assert_eq!(
            time.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_698_315_752
        );
        assert_eq!(format_iso8601(time), "2023-10-26T10:22:32Z");
        assert_eq!(format_iso8601(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap = parse_iso8601("2024-02-29T23:59:59Z").unwrap();
        assert_eq!(format_iso8601(leap), "2024-02-29T23:59:59Z");
        assert_eq!(
            parse_iso8601("2016-02-23T12:46:24.123Z")
                .map(format_iso8601)
                .as_deref(),
            Some("2016-02-23T12:46:24Z")
        );
        assert!(parse_iso8601("2016-13-23T12:46:24Z").is_none());
        assert!(parse_iso8601("yesterday").is_none());
    }

    #[test]
    fn the_fast_stamp_is_the_formatted_one() {
        let general = |seconds: i64| {
            let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
            let rest = seconds.rem_euclid(86_400);
            format!(
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
                rest / 3600,
                rest % 3600 / 60,
                rest % 60
            )
        };
        // Every ~27 days (an odd step, so every time of day comes up) from
        // 1970 to 9999, and the last second of 9999.
        for seconds in (0..253_402_300_800_i64)
            .step_by(2_345_677)
            .chain([253_402_300_799])
        {
            let time = UNIX_EPOCH + Duration::from_secs(seconds as u64);
            assert_eq!(format_iso8601(time), general(seconds));
        }
        // Year 10000 and before 1970: the general form.
        let far = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
        assert_eq!(format_iso8601(far), "10000-01-01T00:00:00Z");
        assert_eq!(
            format_iso8601(UNIX_EPOCH - Duration::from_secs(1)),
            "1969-12-31T23:59:59Z"
        );
    }

    #[test]
    fn every_day_for_four_centuries_round_trips() {
        for days in (-200_000..200_000).step_by(37) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
