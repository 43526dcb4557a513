//! The app shell in a real browser: it mounts, names itself, and shows the metrics the core
//! computes, changed by the Environment filter.

mod support;

use bots_status::App;
use bots_status::app::sample_fleet;
use bots_status_core::metrics::{Metric, Metrics};
use bots_status_core::model::Environment;
use bots_status_core::query::EnvironmentFilter;
use leptos::mount::mount_to;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The number a user reads on the metric card labelled `label`.
fn metric_value(root: &web_sys::Element, label: &str) -> String {
    let card = query_all(root, ".bs-metric")
        .into_iter()
        .find(|card| text(&query(card, ".bs-metric__label")) == label)
        .unwrap_or_else(|| panic!("no metric labelled {label}"));
    text(&query(&card, ".bs-metric__value"))
}

#[wasm_bindgen_test]
fn the_app_names_itself_and_shows_the_production_metrics() {
    let host = fresh_host();
    let _app = mount_to(host.clone(), App);
    assert_eq!(text(&query(&host, "h1")), "Bots Status");
    let expected = Metrics::compute(&sample_fleet().connectors, EnvironmentFilter::default());
    for metric in Metric::ALL {
        assert_eq!(
            metric_value(&host, metric.label()),
            expected.get(metric).to_string(),
            "{}",
            metric.label()
        );
    }
}

#[wasm_bindgen_test]
async fn choosing_demo_shows_the_demo_metrics() {
    let host = fresh_host();
    let _app = mount_to(host.clone(), App);
    let fleet = sample_fleet();
    let demo = Metrics::compute(
        &fleet.connectors,
        EnvironmentFilter::Only(Environment::Demo),
    );
    let production = Metrics::compute(&fleet.connectors, EnvironmentFilter::default());
    assert_ne!(
        demo, production,
        "the sample fleet must tell the environments apart"
    );

    choose(&host, "Environment", "demo");

    wait_for("the demo metrics", || {
        Metric::ALL
            .into_iter()
            .all(|m| metric_value(&host, m.label()) == demo.get(m).to_string())
    })
    .await;
    assert!(text(&query(&host, ".bs-note")).contains("in Demo"));
}
