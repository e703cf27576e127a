//! How fast the filter-pattern engine is: parse + coverage for the canonical patterns and for a
//! pattern at the 1024-character limit, and matching one pre-parsed CloudTrail record.
//!
//! Targets: parse + coverage under 10 µs for a canonical pattern and under 50 µs at 1024
//! characters; `matches` under 1 µs.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use cis_monitor::controls::Control;
use cis_monitor::pattern::{FilterPattern, LogEvent};

/// The VPC pattern with extra alternatives (wildcards, quoted values, other fields) up to
/// just under 1024 characters.
fn long_pattern() -> String {
    let canonical = Control::VpcChanges.canonical_pattern();
    let extras = [
        "($.eventName = \"CreateVpcEndpoint*\")",
        "($.eventName = *VpcCidrBlock)",
        "($.eventSource = \"ec2.amazonaws.com\" && $.eventName = Modify*Vpc*)",
        "($.eventName = \"*TransitGateway*\")",
        "($.userIdentity.type = Root && $.errorCode NOT EXISTS)",
        "($.eventName = Create*Subnet)",
        "($.eventName = Delete*Subnet)",
        "($.eventName = *Route*)",
        "($.requestParameters.vpcId = \"vpc-*\")",
        "($.eventName = \"ReplaceNetworkAclEntry\")",
        "($.eventName = *Gateway)",
        "($.eventName = \"AssociateVpcCidrBlock\" || $.eventName = \"DisassociateVpcCidrBlock\")",
        "($.eventName = CreateFlowLogs || $.eventName = DeleteFlowLogs)",
        "($.eventName = *SecurityGroup*)",
    ];
    let mut body = canonical[1..canonical.len() - 1].to_string();
    for extra in extras {
        if body.len() + extra.len() + 6 > 1024 {
            break;
        }
        body.push_str(" || ");
        body.push_str(extra);
    }
    let pattern = format!("{{{body}}}");
    assert!(pattern.len() > 950 && pattern.len() <= 1024, "{}", pattern.len());
    pattern
}

const CREATE_TRAIL: &str = include_str!("../tests/fixtures/cloudtrail/create-trail.json");
const DESCRIBE_TRAILS: &str = include_str!("../tests/fixtures/cloudtrail/describe-trails.json");

fn record(text: &str) -> LogEvent {
    LogEvent::from_json(serde_json::from_str(text).expect("a JSON fixture"))
}

fn parse_and_cover(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse+coverage");
    for control in Control::ALL {
        let text = control.canonical_pattern();
        group.bench_function(control.id(), |b| {
            b.iter(|| {
                let pattern = FilterPattern::parse(black_box(text)).expect("parses");
                black_box(pattern.coverage(control))
            })
        });
    }
    let long = long_pattern();
    group.bench_function(format!("{}-char VPC pattern", long.len()), |b| {
        b.iter(|| {
            let pattern = FilterPattern::parse(black_box(&long)).expect("parses");
            black_box(pattern.coverage(Control::VpcChanges))
        })
    });
    group.finish();
}

fn matching(c: &mut Criterion) {
    let pattern = FilterPattern::parse(Control::CloudTrailChanges.canonical_pattern()).expect("parses");
    let matching = record(CREATE_TRAIL);
    let other = record(DESCRIBE_TRAILS);
    assert!(pattern.matches(&matching) && !pattern.matches(&other));
    let mut group = c.benchmark_group("matches");
    group.bench_function("CloudWatch.5 on CreateTrail (match)", |b| {
        b.iter(|| pattern.matches(black_box(&matching)))
    });
    group.bench_function("CloudWatch.5 on DescribeTrails (no match)", |b| {
        b.iter(|| pattern.matches(black_box(&other)))
    });
    group.finish();
}

criterion_group!(benches, parse_and_cover, matching);
criterion_main!(benches);
