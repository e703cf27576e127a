//! Points in time as the audit uses them: when a run started, when CloudTrail last delivered.
//! A [`Timestamp`] counts milliseconds since the Unix epoch and prints as ASFF wants a time:
//! RFC 3339 in UTC with milliseconds (`2026-11-23T02:13:20.123Z`). No AWS dependency.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Serialize, Serializer};

/// A point in time, to the millisecond. The default is the Unix epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    millis: i64,
}

impl Timestamp {
    /// The time `millis` milliseconds after the Unix epoch (before it when negative).
    pub const fn from_millis(millis: i64) -> Self {
        Timestamp { millis }
    }

    /// The current time.
    pub fn now() -> Self {
        Timestamp::from(SystemTime::now())
    }

    /// Milliseconds since the Unix epoch.
    pub const fn millis(self) -> i64 {
        self.millis
    }

    /// The time an RFC 3339 text in UTC names, as CloudTrail (`2026-12-01T10:00:00Z`) and
    /// this type (with milliseconds) write it; finer fractions are cut to the millisecond.
    /// `None` for any other text, offsets other than `Z` included.
    pub fn parse(text: &str) -> Option<Self> {
        let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
        let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
        let fields = |text: &str, separator: char| -> Option<[i64; 3]> {
            let mut parts = text.split(separator).map(|part| part.parse::<u16>().ok().map(i64::from));
            let fields = [parts.next()??, parts.next()??, parts.next()??];
            parts.next().is_none().then_some(fields)
        };
        let [year, month, day] = fields(date, '-')?;
        let [hour, minute, second] = fields(clock, ':')?;
        let valid = (1..=12).contains(&month)
            && (1..=31).contains(&day)
            && hour < 24
            && minute < 60
            && second <= 60
            && fraction.bytes().all(|byte| byte.is_ascii_digit());
        if !valid {
            return None;
        }
        let millis: i64 = format!("{fraction:0<3}")[..3].parse().ok()?;
        let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
        Some(Timestamp { millis: seconds * 1000 + millis })
    }

    /// How long before `later` this is; zero when `later` is not later.
    pub fn elapsed_until(self, later: Timestamp) -> Duration {
        Duration::from_millis(u64::try_from(later.millis - self.millis).unwrap_or(0))
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        let millis = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
        };
        Timestamp { millis }
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339, UTC, with milliseconds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.millis.div_euclid(1000);
        let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60,
            self.millis.rem_euclid(1000)
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The day count since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of the day `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_as_rfc3339_with_milliseconds() {
        let cases = [
            (1_795_400_000_123, "2026-11-23T02:13:20.123Z"),
            (0, "1970-01-01T00:00:00.000Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (1_709_164_799_999, "2024-02-28T23:59:59.999Z"),
            (253_402_300_799_000, "9999-12-31T23:59:59.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
        ];
        for (millis, text) in cases {
            assert_eq!(Timestamp::from_millis(millis).to_string(), text, "{millis}");
            assert_eq!(Timestamp::parse(text), Some(Timestamp::from_millis(millis)), "{text}");
        }
        let time = UNIX_EPOCH + Duration::from_millis(1_795_400_000_123);
        assert_eq!(Timestamp::from(time), Timestamp::from_millis(1_795_400_000_123));
    }

    #[test]
    fn cloudtrails_times_parse_and_other_texts_do_not() {
        let cloudtrail = Timestamp::parse("2026-11-23T02:13:20Z");
        assert_eq!(cloudtrail, Some(Timestamp::from_millis(1_795_400_000_000)));
        assert_eq!(
            Timestamp::parse("2026-11-23T02:13:20.1234Z"),
            Some(Timestamp::from_millis(1_795_400_000_123))
        );
        for text in [
            "",
            "2026-11-23",
            "2026-11-23T02:13:20",
            "2026-11-23T02:13:20+01:00",
            "2026-13-01T00:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T02:13:20.x1Z",
            "2026-11-23T02:13Z",
            "2026-11-23-01T02:13:20Z",
        ] {
            assert_eq!(Timestamp::parse(text), None, "{text}");
        }
    }

    #[test]
    fn elapsed_time_is_never_negative() {
        let (early, late) = (Timestamp::from_millis(1_000), Timestamp::from_millis(61_000));
        assert_eq!(early.elapsed_until(late), Duration::from_secs(60));
        assert_eq!(late.elapsed_until(early), Duration::ZERO);
    }
}
