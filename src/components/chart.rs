//! The status breakdown: one bar per Bot Agent Connector status, drawn as SVG by the app.
//! Each bar opens the Bot Agents page filtered to that status.

use bots_status_core::query::ConnectorQuery;
use bots_status_core::status::{ConnectorStatus, StatusValue};
use bots_status_core::words::decimal;
use leptos::prelude::*;

use crate::store::FleetStore;
use crate::view::{Page, ViewState};

const BAR_HEIGHT: f64 = 26.0;
const GAP: f64 = 10.0;
const LABEL_WIDTH: f64 = 120.0;
const WIDTH: f64 = 480.0;

#[component]
pub fn StatusChart() -> impl IntoView {
    let store = FleetStore::from_context();
    let view_state = ViewState::from_context();
    let counts = Memo::new(move |_| {
        let env = view_state.query.with(|q| q.environment);
        let by_environment = ConnectorQuery {
            environment: env,
            ..ConnectorQuery::default()
        };
        let counts = store
            .connectors
            .with(|list| by_environment.facet_counts(list));
        ConnectorStatus::ALL.map(|status| counts.status(status))
    });
    let height = ConnectorStatus::ALL.len() as f64 * (BAR_HEIGHT + GAP);
    view! {
        <section class="bs-panel" aria-label="Connectors by status">
            <h3 class="bs-panel__title">"Connectors by status"</h3>
            <svg
                class="bs-chart"
                viewBox=format!("0 0 {} {}", decimal(WIDTH, 0), decimal(height, 0))
                role="group"
                aria-label=move || {
                    let c = counts.get();
                    let parts: Vec<String> = ConnectorStatus::ALL
                        .iter()
                        .zip(c)
                        .map(|(s, n)| format!("{}: {n}", s.label()))
                        .collect();
                    parts.join(", ")
                }
            >
                {ConnectorStatus::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(i, status)| {
                        let y = i as f64 * (BAR_HEIGHT + GAP);
                        let bar_width = move || {
                            let c = counts.get();
                            let max = c.iter().copied().max().unwrap_or(0).max(1) as f64;
                            (WIDTH - LABEL_WIDTH - 50.0) * c[i] as f64 / max
                        };
                        let open = move || {
                            let env = view_state.query.with_untracked(|q| q.environment);
                            view_state.show(Page::Agents, ConnectorQuery {
                                environment: env,
                                status: Some(status),
                                ..ConnectorQuery::default()
                            });
                        };
                        view! {
                            <g
                                class="bs-chart__row"
                                role="button"
                                tabindex="0"
                                aria-label=move || format!("{} {}, list them", status.label(), counts.get()[i])
                                on:click=move |_| open()
                                on:keydown=move |ev| {
                                    if ev.key() == "Enter" || ev.key() == " " {
                                        ev.prevent_default();
                                        open();
                                    }
                                }
                            >
                                // The label holds the bar's texts, in order ("Online 12"), so the name
                                // a voice user says matches what they see; a <title> (the
                                // description) would be text the name does not hold.
                                <text x="0" y=decimal(y + BAR_HEIGHT * 0.7, 1) class="bs-chart__label">{status.label()}" "</text>
                                <rect
                                    x=decimal(LABEL_WIDTH, 0)
                                    y=decimal(y, 0)
                                    height=decimal(BAR_HEIGHT, 0)
                                    rx="4"
                                    width=move || decimal(bar_width(), 1)
                                    class=format!("bs-chart__bar bs-fill-{}", status.tone().name())
                                />
                                <text
                                    x=move || decimal(LABEL_WIDTH + bar_width() + 8.0, 1)
                                    y=decimal(y + BAR_HEIGHT * 0.7, 1)
                                    class="bs-chart__value"
                                >
                                    {move || counts.get()[i].to_string()}
                                </text>
                            </g>
                        }.into_any()
                    })
                    .collect_view()}
            </svg>
            <p class="bs-panel__hint">"Click a bar (or focus it and press Enter) to list those connectors."</p>
        </section>
    }
}
