//! [`classify`] over every recorded error body (snapshot), plus retry and wording rules.

use super::*;

/// (file, HTTP status it was served with)
const FIXTURES: &[(&str, u16)] = &[
    (
        "real_vcr_monday_ruby/error_401_not_authenticated_2024.json",
        401,
    ),
    (
        "real_vcr_monday_ruby/error_401_not_authenticated_2025.json",
        401,
    ),
    (
        "real_vcr_monday_ruby/error_403_user_unauthorized_legacy_2024-07.json",
        403,
    ),
    (
        "real_vcr_monday_ruby/error_404_resource_not_found_legacy_2024-07.json",
        404,
    ),
    (
        "real_vcr_monday_ruby/error_500_internal_legacy_2024-07.json",
        500,
    ),
    ("real_vcr_monday_ruby/error_500_internal_2025-10.json", 500),
    (
        "real_vcr_monday_ruby/error_200_hybrid_errors_plus_legacy_fields_2024-10.json",
        200,
    ),
    (
        "real_vcr_monday_ruby/error_200_internal_server_error_in_body_2025-07.json",
        200,
    ),
    (
        "real_vcr_monday_ruby/error_200_invalid_board_id_data_null_2025-07.json",
        200,
    ),
    (
        "real_vcr_monday_ruby/error_200_invalid_board_id_legacy_2024-07.json",
        200,
    ),
    (
        "real_vcr_monday_ruby/error_200_invalid_item_id_legacy_2024-07.json",
        200,
    ),
    (
        "real_vcr_monday_ruby/error_200_resource_not_found_group_2025-07.json",
        200,
    ),
    (
        "real_vcr_monday_ruby/error_200_user_unauthorized_partial_data_2025-07.json",
        200,
    ),
    (
        "real_vcr_monday_ruby/error_200_validation_argument_literals_incompatible_2024-07.json",
        200,
    ),
    (
        "real_vcr_monday_ruby/error_200_validation_cannot_query_field_2025.json",
        200,
    ),
    (
        "real_vcr_monday_ruby/error_200_validation_enum_2025.json",
        200,
    ),
    (
        "real_vcr_monday_ruby/error_200_validation_undefined_field_2024-04.json",
        200,
    ),
    ("airbyte/error_403_user_unauthorized_legacy.json", 403),
    ("airbyte/error_500_legacy.json", 500),
    (
        "airbyte/error_complexity_budget_exhausted_2025-01.json",
        200,
    ),
    ("airbyte/error_complexity_exception_legacy_200.json", 200),
    ("airbyte/error_cursor_expired_legacy_200.json", 200),
    (
        "docs_and_issues/changelog_complexity_budget_exhausted_2025-01_hotfix.json",
        200,
    ),
    (
        "docs_and_issues/changelog_complexity_budget_exhausted_2025-07_new_format.json",
        429,
    ),
    (
        "docs_and_issues/changelog_complexity_budget_exhausted_pre_2025-07_format.json",
        200,
    ),
    (
        "docs_and_issues/changelog_complexity_exception_legacy_429.json",
        200,
    ),
    (
        "docs_and_issues/changelog_field_limit_exceeded_legacy_429.json",
        429,
    ),
    ("docs_and_issues/changelog_ip_rate_limit_exceeded.json", 429),
    (
        "docs_and_issues/changelog_legacy_error_with_data_object.json",
        200,
    ),
    (
        "docs_and_issues/docs_error_partial_data_asset_unavailable_2025-01.json",
        200,
    ),
    (
        "docs_and_issues/docs_error_user_unauthorized_2025-01.json",
        200,
    ),
    (
        "docs_and_issues/issue_airbyte_31539_complexity_exception_real_2023-10.json",
        200,
    ),
    (
        "docs_and_issues/issue_prodperfect_monday_27_complexity_only_real.json",
        200,
    ),
    (
        "docs_and_issues/pr_airbyte_36717_complexity_budget_exhausted_camelcase_real_2024-04.json",
        200,
    ),
    (
        "docs_and_issues/singer_tap_monday_test_cursor_expired_2025_format_SYNTHETIC.json",
        200,
    ),
];

fn read(rel: &str) -> Vec<u8> {
    let path = trove_fakes::fixtures::path(&format!("monday/{rel}"))
        .display()
        .to_string();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn outcome(r: Result<GqlResponse, ApiFailure>) -> String {
    match r {
        Ok(g) => format!("ok (partial errors: {})", g.errors.len()),
        Err(f) => format!("{f:?}"),
    }
}

#[test]
fn every_recorded_error_is_classified() {
    trove_fakes::require_fixtures!();
    let lines: Vec<String> = FIXTURES
        .iter()
        .map(|(file, status)| {
            format!(
                "{file} [{status}] => {}",
                outcome(classify(*status, None, &read(file)))
            )
        })
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn daily_limit_stops() {
    let body = br#"{"errors":[{"message":"Daily limit exceeded","extensions":{"code":"DAILY_LIMIT_EXCEEDED","status_code":429}}]}"#;
    assert!(matches!(
        classify(200, None, body),
        Err(ApiFailure::DailyLimit(_))
    ));
    assert!(matches!(
        classify(429, None, body),
        Err(ApiFailure::DailyLimit(_))
    ));
}

#[test]
fn retry_after_header_is_used_for_429() {
    let r = classify(429, Some(Duration::from_secs(7)), b"Too Many Requests");
    assert_eq!(
        r,
        Err(ApiFailure::RateLimited {
            wait: Some(Duration::from_secs(7)),
            message: "Too Many Requests".into()
        })
    );
}

#[test]
fn non_json_200_is_malformed() {
    assert!(matches!(
        classify(200, None, b"<html>oops"),
        Err(ApiFailure::Malformed(_))
    ));
    assert!(matches!(
        classify(200, None, b"{\"data\": 3}"),
        Err(ApiFailure::Malformed(_))
    ));
}

#[test]
fn retries_are_bounded() {
    let req = |attempt, backoff| Scope::Request { attempt, backoff };
    let t = ApiFailure::Transient {
        wait: Some(Duration::from_secs(2)),
        message: String::new(),
    };
    let ms = Duration::from_millis(1);
    assert_eq!(
        decide(&t, req(2, Some(ms))),
        Decision::Retry(Duration::from_secs(2))
    );
    assert_eq!(decide(&t, req(3, None)), Decision::Abort);
    let l = ApiFailure::RateLimited {
        wait: Some(Duration::from_secs(3)),
        message: String::new(),
    };
    assert_eq!(
        decide(&l, req(0, None)),
        Decision::Retry(Duration::from_secs(3))
    );
    assert_eq!(decide(&l, req(8, Some(ms))), Decision::Abort);
    assert_eq!(
        decide(&ApiFailure::Auth(String::new()), req(0, Some(ms))),
        Decision::Abort
    );
}

#[test]
fn decisions_by_scope() {
    let chain = |restarts, page_limit| Scope::Chain {
        restarts,
        max_restarts: 2,
        page_limit,
    };
    let cursor = ApiFailure::CursorExpired(String::new());
    assert_eq!(decide(&cursor, chain(1, 10)), Decision::RestartChain);
    assert_eq!(decide(&cursor, chain(2, 10)), Decision::Skip);
    let big = ApiFailure::TooComplex(String::new());
    assert_eq!(decide(&big, chain(0, 10)), Decision::ShrinkPage);
    assert_eq!(decide(&big, chain(0, 1)), Decision::Abort);
    let forbidden = ApiFailure::Forbidden(String::new());
    let transient = ApiFailure::Transient {
        wait: None,
        message: String::new(),
    };
    assert_eq!(decide(&forbidden, chain(0, 10)), Decision::Skip);
    assert_eq!(decide(&transient, chain(0, 10)), Decision::Skip);
    assert_eq!(decide(&forbidden, Scope::Part), Decision::Skip);
    assert_eq!(decide(&transient, Scope::Part), Decision::Abort);
    assert_eq!(decide(&transient, Scope::Optional), Decision::Skip);
    assert_eq!(decide(&big, Scope::Batch { size: 2 }), Decision::ShrinkPage);
    assert_eq!(decide(&big, Scope::Batch { size: 1 }), Decision::Abort);
    let daily = ApiFailure::DailyLimit(String::new());
    for scope in [
        chain(0, 10),
        Scope::Part,
        Scope::Optional,
        Scope::Request {
            attempt: 0,
            backoff: None,
        },
    ] {
        assert_eq!(decide(&daily, scope), Decision::Abort);
    }
}

#[test]
fn auth_message_is_exact_and_scrubbed() {
    let token = Secret::new("tok_secret_123");
    let e = ApiFailure::Auth("bad tok_secret_123".into()).into_connector_error(&token);
    assert_eq!(
        e.to_string(),
        "the monday.com token was rejected (401): bad [redacted]"
    );
}

#[test]
fn over_cap_query_is_too_complex_not_a_wait() {
    let new = br#"{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","complexity":6000000,"complexity_budget_left":100,"complexity_budget_limit":5000000,"retry_in_seconds":60,"status_code":429}}]}"#;
    assert!(matches!(
        classify(200, None, new),
        Err(ApiFailure::TooComplex(_))
    ));
    let legacy = br#"{"error_code":"ComplexityException","status_code":429,"error_message":"Complexity budget exhausted, query cost 12000000 budget remaining 747 out of 10000000 reset in 16 seconds"}"#;
    assert!(matches!(
        classify(429, None, legacy),
        Err(ApiFailure::TooComplex(_))
    ));
    let text = br#"{"errors":[{"message":"Query has complexity of 7000000, which exceeds max complexity of 5000000"}]}"#;
    assert!(matches!(
        classify(200, None, text),
        Err(ApiFailure::TooComplex(_))
    ));
}
