//! Parse tests: every flag of every subcommand.

use clap::Parser;

use super::{Cli, Command};

fn parse(args: &[&str]) -> Cli {
    Cli::try_parse_from(std::iter::once("trove").chain(args.iter().copied())).unwrap()
}

#[test]
fn global_flags() {
    let cli = parse(&[
        "--data-dir",
        "/tmp/d",
        "--config",
        "c.toml",
        "-vv",
        "status",
    ]);
    assert_eq!(cli.data_dir.to_str(), Some("/tmp/d"));
    assert_eq!(cli.config.as_ref().and_then(|p| p.to_str()), Some("c.toml"));
    assert_eq!(cli.verbose, 2);
}

#[test]
fn search_flags() {
    let cli = parse(&[
        "search",
        "heat transfer",
        "--limit",
        "5",
        "--offset",
        "10",
        "--source",
        "n",
        "--kind",
        "page",
        "--tag",
        "Done",
        "--json",
    ]);
    let Command::Search(a) = cli.command else {
        panic!("not search")
    };
    assert_eq!(
        (a.query.as_str(), a.limit, a.offset),
        ("heat transfer", 5, 10)
    );
    assert_eq!(
        (a.source.as_deref(), a.kind.as_deref()),
        (Some("n"), Some("page"))
    );
    assert_eq!(a.tags, vec!["Done"]);
    assert!(a.json);
}

#[test]
fn search_limit_is_bounded() {
    assert!(Cli::try_parse_from(["trove", "search", "x", "--limit", "0"]).is_err());
    assert!(Cli::try_parse_from(["trove", "search", "x", "--limit", "101"]).is_err());
}

#[test]
fn sync_flags() {
    let cli = parse(&["sync", "--source", "a", "--source", "b", "--full"]);
    let Command::Sync(a) = cli.command else {
        panic!("not sync")
    };
    assert_eq!(a.sources, vec!["a", "b"]);
    assert!(a.full);
}

#[test]
fn import_export_status_rebuild() {
    assert!(matches!(
        parse(&["import", "-"]).command,
        Command::Import(i) if i.max_body_bytes == 8 << 20
    ));
    assert!(matches!(
        parse(&["import", "--max-body-bytes", "1000", "f"]).command,
        Command::Import(i) if i.max_body_bytes == 1000
    ));
    let Command::Export(e) = parse(&["export", "--source", "n"]).command else {
        panic!()
    };
    assert_eq!(e.source.as_deref(), Some("n"));
    let Command::Status(s) = parse(&["status", "--json", "--skipped"]).command else {
        panic!()
    };
    assert!(s.json && s.skipped);
    assert!(matches!(parse(&["rebuild"]).command, Command::Rebuild(_)));
    assert!(matches!(
        parse(&["rebuild", "--force"]).command,
        Command::Rebuild(r) if r.force && !r.reflatten
    ));
    assert!(matches!(
        parse(&["rebuild", "--reflatten"]).command,
        Command::Rebuild(r) if r.reflatten && !r.force
    ));
}

#[test]
fn mcp_takes_the_global_data_dir_after_the_subcommand() {
    // The form MCP client configurations use: ["mcp", "--data-dir", PATH].
    let cli = parse(&["mcp", "--data-dir", "/srv/trove"]);
    assert!(matches!(cli.command, Command::Mcp(_)));
    assert_eq!(cli.data_dir.to_str(), Some("/srv/trove"));
    assert!(Cli::try_parse_from(["trove", "mcp", "--stdio"]).is_err());
}

#[test]
fn bench_flags() {
    let Command::Bench(b) = parse(&[
        "bench",
        "--docs",
        "500",
        "--seed",
        "3",
        "--json",
        "--write-docs",
        "d.ndjson",
    ])
    .command
    else {
        panic!()
    };
    assert_eq!((b.docs, b.seed, b.json), (500, 3, true));
    assert_eq!(
        b.write_docs.as_deref().and_then(|p| p.to_str()),
        Some("d.ndjson")
    );
}

#[test]
fn demo_and_fake_flags() {
    let Command::Demo(d) = parse(&["demo", "--serve", "--scale", "50"]).command else {
        panic!()
    };
    assert_eq!(
        d.serve.map(|a| a.to_string()).as_deref(),
        Some("127.0.0.1:7700")
    );
    assert_eq!(d.scale, 50);
    assert!(matches!(
        parse(&["fake", "monday", "--addr", "127.0.0.1:9999"]).command,
        Command::Fake(_)
    ));
}

#[test]
fn push_flags() {
    let Command::Push(a) = parse(&["push", "--rebuild", "--json"]).command else {
        panic!("not push");
    };
    assert!(a.rebuild && a.json);
    let Command::Push(a) = parse(&["push"]).command else {
        panic!("not push");
    };
    assert!(!a.rebuild && !a.json);
}

#[test]
fn serve_engine_and_bench_push_flags() {
    let Command::Serve(a) = parse(&["serve", "--engine", "typesense"]).command else {
        panic!("not serve");
    };
    assert_eq!(
        a.engine,
        Some(trove::cluster::config::EngineKind::Typesense)
    );
    assert!(Cli::try_parse_from(["trove", "serve", "--engine", "elastic"]).is_err());
    let Command::Bench(a) = parse(&["bench", "--push", "--docs", "100"]).command else {
        panic!("not bench");
    };
    assert!(a.push);
}

#[test]
fn semantic_flags() {
    let cli = parse(&[
        "--model-dir",
        "/m/minilm",
        "search",
        "q",
        "--mode",
        "semantic",
    ]);
    assert_eq!(
        cli.model_dir.as_deref().and_then(|p| p.to_str()),
        Some("/m/minilm")
    );
    let Command::Search(s) = cli.command else {
        panic!()
    };
    assert_eq!(s.mode, Some(trove::search::Mode::Semantic));
    for (flag, mode) in [
        ("keyword", trove::search::Mode::Keyword),
        ("hybrid", trove::search::Mode::Hybrid),
    ] {
        let Command::Search(s) = parse(&["search", "q", "--mode", flag]).command else {
            panic!()
        };
        assert_eq!(s.mode, Some(mode));
    }
    let bad = Cli::try_parse_from(["trove", "search", "q", "--mode", "fuzzy"]).unwrap_err();
    assert!(
        bad.to_string()
            .contains("expected keyword, semantic or hybrid"),
        "{bad}"
    );
    let Command::Bench(b) = parse(&["bench", "--semantic", "--docs", "100"]).command else {
        panic!()
    };
    assert!(b.semantic && b.docs == 100);
}
