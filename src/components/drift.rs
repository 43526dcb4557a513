//! Configuration drift as a table: each key whose value differs between a bot's connectors,
//! with each connector's value. The details show a saved bot's drift; the form shows what
//! its draft would make differ, the draft first.

use bots_status_core::config::Drift;
use bots_status_core::model::ConnectorId;
use leptos::prelude::*;

/// "#12: 300 · #13: (not set)": each connector's value of one drifting key.
pub fn drift_values(values: &[(ConnectorId, Option<String>)]) -> String {
    values
        .iter()
        .map(|(id, v)| format!("#{id}: {}", v.as_deref().unwrap_or("(not set)")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The drifting keys of `drift`. With `draft_first`, the first value of each key is the
/// form's and gets a column of its own.
#[component]
pub fn DriftTable(
    /// The drifting keys, each with every connector's value.
    drift: Memo<Vec<Drift>>,
    /// Whether the first value is the form's draft, shown in a column of its own.
    draft_first: bool,
) -> impl IntoView {
    view! {
        <table class="bs-drift__table">
            <thead>
                <tr>
                    <th scope="col">"Key"</th>
                    {if draft_first {
                        view! { <th scope="col">"This form"</th><th scope="col">"Other connectors"</th> }.into_any()
                    } else {
                        view! { <th scope="col">"Values (connector: value)"</th> }.into_any()
                    }}
                </tr>
            </thead>
            <tbody>
                {move || drift.get().into_iter().map(|d| {
                    let cells = if draft_first {
                        let (here, others) = d
                            .values
                            .split_first()
                            .map(|(h, o)| (h.1.clone(), drift_values(o)))
                            .unwrap_or_default();
                        view! {
                            <td>{here.unwrap_or_else(|| "(not set)".to_owned())}</td>
                            <td>{others}</td>
                        }.into_any()
                        .into_any()
                    } else {
                        view! { <td>{drift_values(&d.values)}</td> }.into_any()
                    };
                    view! { <tr><td>{d.key}</td>{cells}</tr> }.into_any()
                }).collect_view()}
            </tbody>
        </table>
    }
}
