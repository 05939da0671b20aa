//! Replays, without a fuzzer, every input committed under `regressions/`
//! (each a crash or hang a fuzzer once found, kept so it never returns) and
//! seeds drawn from the repository: every fixture answer through every
//! operation's decoder, every example of the doc tables' fixtures as an
//! error body, and hand-picked edge cases for the other decoders.

use std::path::{Path, PathBuf};

use aliyun_ai_fuzz::{run, targets};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_owned()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn every_committed_regression_input_passes() {
    let regressions = root().join("regressions");
    let mut replayed = 0;
    for target in targets() {
        for file in files_under(&regressions.join(target)) {
            let data = std::fs::read(&file).unwrap();
            assert!(run(target, &data), "{target}");
            replayed += 1;
        }
    }
    // Each target has at least its README-named seed.
    assert!(replayed >= targets().len(), "{replayed} inputs replayed");
}

#[test]
fn every_fixture_answer_through_every_operation() {
    let fixtures = files_under(&root().join("../fixtures"));
    let answers: Vec<_> = fixtures
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert!(answers.len() > 60, "{} fixtures", answers.len());
    for file in answers {
        let body = std::fs::read(file).unwrap();
        for target in targets().into_iter().filter(|t| t.starts_with("answers_")) {
            // Every selector: each operation of the crate decodes each body.
            for selector in 0..=u8::MAX {
                let mut data = vec![selector];
                data.extend_from_slice(&body);
                run(target, &data);
            }
        }
        run("error_body", &body);
        run("cli_config", &body);
    }
}

#[test]
fn edge_cases_of_each_decoder() {
    let cases: &[(&str, &[u8])] = &[
        ("sse_decoder", b"\x05data: a\r\n\r\ndata: b\r\rdata"),
        ("sse_decoder", b"\x85data: 0123456789012345678901234567890\r"),
        ("sse_decoder", b"\x81\xEF\xBB\xBF: bom\n\ndata:\xff\xfe\n\n"),
        ("awap_decoder", b"\x00type:SentenceEnd \r\nseq: 3\r\n\r\n{\"data\":[73,68]}"),
        ("awap_decoder", b"\x00type:a\rb\n\n"),
        ("awap_decoder", b"\x81type:X\nx:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\n"),
        ("awap_decoder", b"\x01type:ProcessTranscription\n\n\x00\xff\n\n"),
        ("awap_decoder", b"\x01\n\n"),
        ("error_body", b"<Error><Code>X</Code><Message>&lt;&#x1F600;</Message></Error>"),
        ("error_body", b"{\"Code\":\"\\ud800\"}"),
        ("rpc_form", b"a=%&b=%zz&c=%e4%bd%a0&&=x&Extra=%7B"),
        ("rpc_form", b"Round=99999999999999999999&Score=nan&StressTesting=TRUE"),
        ("credentials_file", b"[default\n=\n[ ]\nkey = \"\nx=y=z\n\r\n["),
        ("cli_config", b"{\"profiles\":[{\"expired_seconds\":-1}]}"),
        ("cli_config", b"2026-02-30T25:61:61Z"),
        ("emulator_request", b"POST\0/\0Action=RecognizeMessage&Version=2\0ACS3-HMAC-SHA256 Credential=,SignedHeaders=;;,Signature=\0Round=x"),
        ("emulator_request", b"GET\0/api/v1/services/aigc/multimodal-generation/generation\0\0\0{\"input\":{\"task\":\"getTask\"}}"),
        ("emulator_request", b"\xff\0\xff\0\0\0"),
    ];
    for (target, data) in cases {
        assert!(run(target, data), "{target}");
    }
}
