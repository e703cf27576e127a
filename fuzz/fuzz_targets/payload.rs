//! Fuzzes the Lambda's invocation payload parsing: any bytes, parsed as JSON when they are, go
//! through the same validation as a real invocation. It must answer (a configuration or an
//! error), never panic, and a configuration it accepts must be within the limits.

#![no_main]

use cis_monitor::config::{AuditConfig, MAX_REGIONS};
use cis_monitor::regions::is_known_region;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(payload) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(config) = AuditConfig::default().for_invocation(&payload) {
        assert!(!config.controls.is_empty());
        if let Some(regions) = &config.regions {
            assert!(!regions.is_empty() && regions.len() <= MAX_REGIONS);
            assert!(regions.iter().all(|region| is_known_region(region)));
        }
    }
});
