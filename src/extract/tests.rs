use std::time::Duration;

use super::*;

fn limits() -> Limits {
    Limits::default()
}

#[test]
fn pdf_text_is_read_page_by_page() {
    let pdf = trove_fakes::files::pdf(&["first page zanzibarite", "second page vortiquant"]);
    let text = extract("spec.pdf", None, pdf, &limits()).expect("text");
    assert!(text.contains("zanzibarite"), "{text}");
    assert!(text.contains("vortiquant"), "{text}");
}

#[test]
fn a_pdf_over_the_page_limit_is_not_read() {
    let pdf = trove_fakes::files::pdf(&["a", "b", "c"]);
    let l = Limits {
        max_pdf_pages: 2,
        ..limits()
    };
    let e = extract("x.pdf", None, pdf, &l).unwrap_err();
    assert_eq!(e, Unreadable::TooManyPages { pages: 3, limit: 2 });
    assert!(e.to_string().contains("max_pdf_pages"), "{e}");
}

#[test]
fn an_encrypted_pdf_is_named_encrypted() {
    let pdf = trove_fakes::files::encrypted_pdf("hushwhisper", "pw");
    assert_eq!(
        extract("locked.pdf", None, pdf, &limits()),
        Err(Unreadable::Encrypted)
    );
}

#[test]
fn hostile_pdfs_never_panic() {
    let good = trove_fakes::files::pdf(&["some text here"]);
    let mut cases: Vec<Vec<u8>> = vec![
        b"%PDF-1.4 garbage".to_vec(),
        b"%PDF-".to_vec(),
        Vec::new(),
        good[..good.len() / 2].to_vec(),
    ];
    // Flip bytes all over a valid file.
    for step in [7usize, 13, 31, 97] {
        let mut bad = good.clone();
        for i in (0..bad.len()).step_by(step) {
            bad[i] ^= 0x5a;
        }
        cases.push(bad);
    }
    for bytes in cases {
        // Any outcome but a panic (or a hang) is fine.
        let _ = extract("x.pdf", None, bytes, &limits());
    }
}

#[test]
fn a_file_over_the_size_limit_is_not_read() {
    let l = Limits {
        max_bytes: 10,
        ..limits()
    };
    let e = extract("a.txt", None, vec![b'a'; 11], &l).unwrap_err();
    assert_eq!(
        e,
        Unreadable::TooLarge {
            size: 11,
            limit: 10
        }
    );
}

#[test]
fn text_markdown_and_csv_are_read() {
    let t = extract(
        "a.txt",
        None,
        b"\xEF\xBB\xBFplain words".to_vec(),
        &limits(),
    );
    assert_eq!(t.as_deref(), Ok("plain words"));
    let md = extract("a.md", None, b"# Title\n\nbody".to_vec(), &limits());
    assert_eq!(md.as_deref(), Ok("# Title\n\nbody"));
    let csv = extract(
        "a.csv",
        None,
        b"name,notes\nwidget,\"shiny, new\nparts\"\n".to_vec(),
        &limits(),
    );
    assert_eq!(
        csv.as_deref(),
        Ok("name | notes\nwidget | shiny, new\nparts\n")
    );
}

#[test]
fn binary_and_unknown_files_are_skipped_with_a_reason() {
    let e = extract("a.txt", None, b"a\0b".to_vec(), &limits()).unwrap_err();
    assert!(matches!(e, Unreadable::Corrupt(_)), "{e}");
    let e = extract(
        "photo.png",
        Some("image/png"),
        b"\x89PNG".to_vec(),
        &limits(),
    )
    .unwrap_err();
    assert_eq!(e, Unreadable::Unsupported("png".into()));
}

#[test]
fn the_format_comes_from_the_name_then_the_type_then_the_bytes() {
    assert_eq!(format_of("A.PDF", None, b""), Some(Format::Pdf));
    assert_eq!(
        format_of("file", Some("text/csv; charset=utf-8"), b""),
        Some(Format::Csv)
    );
    assert_eq!(format_of("file", None, b"%PDF-1.7"), Some(Format::Pdf));
    assert_eq!(format_of(".bashrc", None, b"x"), None);
    assert!(wanted("a.PDF") && wanted("notes.md") && wanted("README"));
    assert!(!wanted("photo.png") && !wanted("budget.xlsx"));
}

#[test]
fn a_panicking_or_stuck_reader_is_bounded() {
    let r = bounded(Duration::from_secs(5), || panic!("hostile"));
    assert_eq!(r, Err(Unreadable::Crashed));
    let r = bounded(Duration::from_millis(50), || {
        std::thread::sleep(Duration::from_secs(2));
        Ok(String::new())
    });
    assert_eq!(r, Err(Unreadable::TimedOut(0)));
}
