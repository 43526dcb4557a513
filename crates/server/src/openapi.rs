//! `GET /api/v1/openapi.json`: the live API as an OpenAPI 3.1 document. Its schemas are
//! generated from the core's own body types (`schemars`, reading the same serde attributes
//! that shape the JSON), so a field renamed in the code is renamed here; its paths are the
//! router's, which `tests/openapi.rs` checks against `routes.rs` and `docs/api.md`.

use bots_status_core::access::Session;
use bots_status_core::api::{
    ActionRequest, AddRequest, BulkRequest, BulkResponse, EditRequest, ErrorBody, Faults,
    FleetPage, PcsActionRequest, ResourceRequest,
};
use bots_status_core::audit::{HistoryPage, TimelineBody};
use bots_status_core::model::Connector;
use bots_status_core::pcs::PcsConnector;
use bots_status_core::protocol::{Desired, Report};
use bots_status_core::settings::AgentUser;
use bots_status_core::simulator::Change;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

struct Doc {
    generator: SchemaGenerator,
}

impl Doc {
    /// A `$ref` to `T`'s schema, which joins the document's components.
    fn schema<T: JsonSchema>(&mut self) -> Value {
        self.generator.subschema_for::<T>().to_value()
    }

    fn json<T: JsonSchema>(&mut self, description: &str) -> Value {
        json!({
            "description": description,
            "content": { "application/json": { "schema": self.schema::<T>() } }
        })
    }

    fn body<T: JsonSchema>(&mut self) -> Value {
        json!({
            "required": true,
            "content": { "application/json": { "schema": self.schema::<T>() } }
        })
    }

    /// Every error answer, in the contract's one shape.
    fn error(&mut self) -> Value {
        self.json::<ErrorBody>("An error in the contract's one shape (see docs/api.md, Errors).")
    }

    /// An operation answering `ok` with `T`, and errors.
    fn operation<T: JsonSchema>(&mut self, summary: &str, status: &str, ok: &str) -> Value {
        let answer = self.json::<T>(ok);
        self.answering(summary, status, answer)
    }

    /// An operation answering `status` without a body, and errors.
    fn empty(&mut self, summary: &str, status: &str, ok: &str) -> Value {
        self.answering(summary, status, json!({ "description": ok }))
    }

    fn answering(&mut self, summary: &str, status: &str, answer: Value) -> Value {
        json!({
            "summary": summary,
            "responses": { status: answer, "default": self.error() }
        })
    }
}

fn with(mut operation: Value, key: &str, value: Value) -> Value {
    if let Some(map) = operation.as_object_mut() {
        map.insert(key.to_owned(), value);
    }
    operation
}

fn query(name: &str, description: &str, kind: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description,
            "schema": { "type": kind } })
}

fn path_param(name: &str, description: &str, kind: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description,
            "schema": { "type": kind } })
}

/// The whole document.
pub fn document() -> Value {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "/components/schemas".into();
    });
    let mut doc = Doc {
        generator: SchemaGenerator::new(settings),
    };
    let id = path_param("id", "The connector's number.", "integer");
    let open = json!([]);
    let list_filters: Vec<Value> = [
        (
            "env",
            "demo, production or all (the API lists all unless asked)",
        ),
        (
            "status",
            "ready, starting, online, not-connected or stopped",
        ),
        ("cloud", "up, down or away: the Conversational Cloud link"),
        ("botserver", "up or down: the bot server link"),
        ("type", "Chat or Messaging"),
        ("q", "Search: bot name, agent user ID or connector number"),
        ("sort", "The sort key, as the app's URL names it"),
        ("desc", "1 for descending"),
    ]
    .iter()
    .map(|(n, d)| query(n, d, "string"))
    .collect();
    let history_filters: Vec<Value> = [
        ("connector", "One connector's entries", "integer"),
        (
            "bot",
            "One bot's entries (its whole name, ignoring case)",
            "string",
        ),
        ("env", "demo or production", "string"),
        ("component", "connector, cloud or bot-server", "string"),
        (
            "actor",
            "One actor's actions (whole, ignoring case)",
            "string",
        ),
        ("kind", "status or action", "string"),
        (
            "problems",
            "1: changes into a failing status and actions not done",
            "string",
        ),
        ("since", "At or after this time (ms since 1970)", "integer"),
        ("until", "Before this time (ms since 1970)", "integer"),
        ("before", "The `next` of the page before", "integer"),
        ("limit", "1 to 500 (default 100)", "integer"),
    ]
    .iter()
    .map(|(n, d, k)| query(n, d, k))
    .collect();

    let mut paths = Map::new();
    let mut put = |path: &str, item: Value| {
        paths.insert(path.to_owned(), item);
    };
    put(
        "/session",
        json!({ "get": doc.operation::<Session>("Who is signed in and what they may do", "200", "The session") }),
    );
    put(
        "/connectors",
        json!({
            "get": with(doc.operation::<FleetPage>("The connectors, filtered", "200", "The connectors, the PCS connector and the last event id"), "parameters", json!(list_filters)),
            "post": with(doc.operation::<Connector>("Add a connector (Ready to Start)", "201", "The connector added"), "requestBody", doc.body::<AddRequest>()),
        }),
    );
    put(
        "/connectors/{id}",
        json!({
            "parameters": [id.clone()],
            "get": doc.operation::<Connector>("One connector", "200", "The connector"),
            "put": with(doc.operation::<Connector>("Edit a stopped connector's settings", "200", "The connector edited"), "requestBody", doc.body::<EditRequest>()),
            "delete": with(doc.empty("Delete a stopped connector", "204", "Deleted"), "parameters", json!([query("version", "The version the user saw", "integer")])),
        }),
    );
    put(
        "/connectors/{id}/actions",
        json!({
            "parameters": [id.clone()],
            "post": with(doc.operation::<Connector>("Start, stop, restart or redeploy", "200", "The connector afterwards"), "requestBody", doc.body::<ActionRequest>()),
        }),
    );
    put(
        "/connectors/{id}/timeline",
        json!({
            "parameters": [id],
            "get": with(doc.operation::<TimelineBody>("Its three statuses over a period, with uptime", "200", "The timeline"), "parameters", json!([query("since", "The period's start (ms since 1970); default a day ago", "integer")])),
        }),
    );
    put(
        "/actions",
        json!({ "post": with(doc.operation::<BulkResponse>("One action on many connectors, each done or refused", "200", "What happened to each"), "requestBody", doc.body::<BulkRequest>()) }),
    );
    put(
        "/accounts/{account}/agents",
        json!({
            "parameters": [path_param("account", "The Conversational Cloud account", "string")],
            "get": doc.operation::<Vec<AgentUser>>("The enabled bot agent users of an account", "200", "The agent users"),
        }),
    );
    put(
        "/pcs",
        json!({ "get": doc.operation::<PcsConnector>("The PCS (survey) connector", "200", "The PCS connector") }),
    );
    put(
        "/pcs/actions",
        json!({ "post": with(doc.operation::<PcsConnector>("Redeploy the PCS connector or refresh its surveys", "200", "The PCS connector afterwards"), "requestBody", doc.body::<PcsActionRequest>()) }),
    );
    let change = doc.schema::<Change>();
    put(
        "/events",
        json!({ "get": {
            "summary": "The stream of changes (server-sent events); resumes from Last-Event-ID",
            "parameters": [
                query("after", "Resume after this event id (or send Last-Event-ID)", "integer"),
                query("access_token", "The token, for a browser's EventSource only", "string"),
            ],
            "responses": {
                "200": { "description": "`event: change` with `data:` one Change as JSON; `event: reset` when the id is too old",
                         "content": { "text/event-stream": { "itemSchema": change } } },
                "default": doc.error(),
            }
        } }),
    );
    put(
        "/history",
        json!({ "get": with(doc.operation::<HistoryPage>("Status changes and actions, newest first, a page at a time", "200", "A page of history"), "parameters", json!(history_filters)) }),
    );
    let issued = json!({ "type": "object", "required": ["connector", "token", "heartbeatMs"],
        "properties": { "connector": { "type": "integer" },
            "token": { "type": "string", "description": "bsc_ and 64 hex digits; shown once" },
            "heartbeatMs": { "type": "integer" } } });
    put(
        "/connectors/{id}/token",
        json!({
            "parameters": [path_param("id", "The connector's number.", "integer")],
            "post": with(doc.empty("Issue the connector's token and hand it to a real process (administrators); replaces an earlier token", "201", "The token, shown once"), "responses", json!({
                "201": { "description": "The token, shown once", "content": { "application/json": { "schema": issued } } },
                "default": doc.error(),
            })),
        }),
    );
    let connector_token = json!([{ "connectorToken": [] }]);
    put(
        "/connector/desired",
        json!({ "get": with(doc.operation::<Desired>("The orders of the token's connector (connector token)", "200", "Its desired state"), "security", connector_token.clone()) }),
    );
    let desired = doc.schema::<Desired>();
    put(
        "/connector/orders",
        json!({ "get": {
            "summary": "The orders as server-sent events: `desired` at once and on each change, `gone` when the connector is deleted (connector token)",
            "security": connector_token.clone(),
            "responses": {
                "200": { "description": "`event: desired` with `data:` one Desired as JSON; `event: gone` at the end",
                         "content": { "text/event-stream": { "itemSchema": desired.clone() } } },
                "default": doc.error(),
            }
        } }),
    );
    let reported = json!({ "type": "object", "required": ["changed", "desired"],
        "properties": { "changed": { "type": "boolean" }, "desired": desired } });
    put(
        "/connector/report",
        json!({ "post": with(with(with(doc.empty("What the process found, at each change and as a heartbeat (connector token)", "200", "Taken"), "requestBody", doc.body::<Report>()), "security", connector_token), "responses", json!({
            "200": { "description": "Taken: whether the connector changed, and its orders now", "content": { "application/json": { "schema": reported } } },
            "default": doc.error(),
        })) }),
    );
    put(
        "/health",
        json!({ "get": {
            "summary": "Whether the server answers, and its last event id",
            "security": open.clone(),
            "responses": { "200": { "description": "It answers", "content": { "application/json": { "schema": {
                "type": "object", "required": ["ok", "lastEventId"],
                "properties": { "ok": { "type": "boolean" }, "lastEventId": { "type": "integer" } } } } } } }
        } }),
    );
    put(
        "/openapi.json",
        json!({ "get": {
            "summary": "This document",
            "security": open,
            "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": { "schema": { "type": "object" } } } } }
        } }),
    );
    put(
        "/admin/faults",
        json!({
            "get": doc.operation::<Faults>("The fault mode (administrators)", "200", "The fault mode"),
            "put": with(doc.operation::<Faults>("Set the fault mode (administrators)", "200", "The fault mode set"), "requestBody", doc.body::<Faults>()),
        }),
    );
    put(
        "/admin/resources",
        json!({ "put": with(doc.empty("Take a simulated server down, up or away (administrators)", "204", "Set"), "requestBody", doc.body::<ResourceRequest>()) }),
    );
    let clock = json!({ "required": true, "content": { "application/json": { "schema": {
        "type": "object", "required": ["advanceMs"], "additionalProperties": false,
        "properties": { "advanceMs": { "type": "integer", "minimum": 1, "maximum": 604_800_000 } } } } } });
    put(
        "/admin/clock",
        json!({ "post": with(with(doc.empty("Move simulated time on at once (administrators)", "200", "The fleet's time now"), "requestBody", clock), "responses", json!({
            "200": { "description": "The fleet's time now", "content": { "application/json": { "schema": {
                "type": "object", "properties": { "now": { "type": "integer" } } } } } },
            "default": doc.error(),
        })) }),
    );
    let metrics = json!({
        "servers": [{ "url": "/" }],
        "get": {
            "summary": "The fleet and the server in the Prometheus text format",
            "responses": {
                "200": { "description": "Prometheus text format 0.0.4", "content": { "text/plain; version=0.0.4": { "schema": { "type": "string" } } } },
                "default": doc.error(),
            }
        }
    });
    put("/metrics", metrics);
    let schemas = doc.generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Bots Status live API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The HTTP contract of Bots Status (docs/api.md): the connectors, their actions, the stream of changes, the history and the server's administration.",
            "license": { "name": "MIT", "identifier": "MIT" }
        },
        "servers": [{ "url": bots_status_core::api::PREFIX }],
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "connectorToken": { "type": "http", "scheme": "bearer", "description": "A connector token (bsc_…), for docs/connector-protocol.md's paths only" },
            },
            "schemas": schemas,
        }
    })
}
