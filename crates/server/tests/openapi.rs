//! `GET /api/v1/openapi.json` over real HTTP: an OpenAPI 3.1 document that reads as one, whose
//! every reference resolves, and whose paths are exactly the router's (`src/routes.rs`) and
//! docs/api.md's, each answered by the server rather than by its "no such path" fallback.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;

/// `(METHOD, path)` of every `.route(...)` in `routes.rs`, paths as OpenAPI writes them.
fn routed() -> BTreeSet<(String, String)> {
    let source = include_str!("../src/routes.rs");
    let mut found = BTreeSet::new();
    for piece in source.split(".route(\"").skip(1) {
        let (path, rest) = piece.split_once('"').expect("a quoted path");
        let call = &rest[..rest.find(")\n").unwrap_or(rest.len())];
        for method in ["get", "post", "put", "delete"] {
            if call.contains(&format!(" {method}(")) || call.contains(&format!(".{method}(")) {
                found.insert((method.to_uppercase(), path.to_owned()));
            }
        }
    }
    found
}

/// `(METHOD, path)` of every endpoint heading and administration item in docs/api.md.
fn documented() -> BTreeSet<(String, String)> {
    let text = include_str!("../../../docs/api.md");
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let Some(start) = line.find('`') else {
            continue;
        };
        let heading =
            line.starts_with("### `") || line.starts_with("- `") || line.starts_with("## ");
        if !heading {
            continue;
        }
        let rest = &line[start + 1..];
        let Some(end) = rest.find('`') else { continue };
        let code = &rest[..end];
        let Some((methods, path)) = code.split_once(' ') else {
            continue;
        };
        let path = path.split('?').next().unwrap_or(path);
        let path = path.strip_prefix("/api/v1").unwrap_or(path);
        for method in methods.split('/') {
            if ["GET", "POST", "PUT", "DELETE"].contains(&method) && path.starts_with('/') {
                found.insert((method.to_owned(), path.to_owned()));
            }
        }
    }
    // "### `GET /api/v1/pcs` and `POST /api/v1/pcs/actions`" names two.
    for line in text
        .lines()
        .filter(|l| l.starts_with("### ") && l.contains(" and `"))
    {
        for code in line.split('`').skip(1).step_by(2) {
            if let Some((method, path)) = code.split_once(' ') {
                let path = path.strip_prefix("/api/v1").unwrap_or(path);
                found.insert((method.to_owned(), path.to_owned()));
            }
        }
    }
    found
}

fn resolve<'a>(document: &'a Value, reference: &str) -> Option<&'a Value> {
    document.pointer(reference.strip_prefix('#')?)
}

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_validates_and_lists_every_route() {
    let (server, api) = start(config()).await;
    // It needs no token, like /health: it holds no secret.
    let response = api
        .client
        .get(format!("{}/openapi.json", api.base))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.expect("a body");
    let spec = oas3::from_json(&text).expect("an OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);
    let document: Value = serde_json::from_str(&text).expect("JSON");

    let mut all = Vec::new();
    refs(&document, &mut all);
    assert!(
        all.len() > 20,
        "the bodies are described: {} references",
        all.len()
    );
    for reference in &all {
        assert!(
            resolve(&document, reference).is_some(),
            "{reference} resolves in the document"
        );
    }
    let connector = &document["components"]["schemas"]["Connector"];
    assert!(
        connector["properties"]["version"].is_object(),
        "{connector}"
    );

    let mut listed = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "delete"] {
            if item.get(method).is_some() {
                listed.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    assert_eq!(
        listed,
        routed(),
        "the document lists the router's routes, no more, no less"
    );
    assert_eq!(
        listed,
        documented(),
        "the document lists what docs/api.md does"
    );

    // Each is served: whatever it answers, it is not the fallback for a path or a method
    // the server does not have.
    for (method, path) in &listed {
        let concrete = path.replace("{id}", "1").replace("{account}", "none");
        let url = if path == "/metrics" {
            format!("http://{}{concrete}", server.addr)
        } else {
            format!("{}{concrete}", api.base)
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = api.client.request(method.clone(), &url).bearer_auth(ADMIN);
        if path == "/events" {
            request = request.header("Last-Event-ID", "0");
        }
        let response = request.send().await.expect("an answer");
        let status = response.status();
        if path != "/events" {
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let code = &body["error"]["code"];
            let message = body["error"]["message"].as_str().unwrap_or("");
            assert!(
                code != "method_not_allowed" && !message.starts_with("There is no such API path"),
                "{method} {path} is served: {status} {body}"
            );
        }
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
    }
    server.stop().await;
}
