//! The one visible control for which backend the app runs: the header's button (it also
//! says how a live connection is doing) and its dialog, which switches between the built-in
//! simulator and a live API; and the line under the header while a live connection is down,
//! which keeps the page as it was and says since when.

use bots_status_core::live::{Link, base_url, token_in_clear};
use leptos::prelude::*;

use super::dialog::{Modal, next_id};
use crate::backend::live::LiveOptions;
use crate::backend::remembered::{self, remembered};
use crate::backend::{Adapter, Mode};
use crate::components::when::When;
use crate::context::SwitchBackend;
use crate::format::{TimeZone, hour_and_minute, time_of_day};
use crate::store::FleetStore;

/// The connection's state in a few words: "live", "reconnecting…", "offline since 10:42".
fn state_words(link: Option<&Link>, zone: TimeZone) -> String {
    match link {
        None | Some(Link::Connecting) => "connecting…".to_owned(),
        Some(Link::Live) => "live".to_owned(),
        Some(Link::Reconnecting { .. }) => "reconnecting…".to_owned(),
        Some(Link::Offline { since }) => format!("offline since {}", hour_and_minute(*since, zone)),
        Some(Link::Refused(_)) => "access refused".to_owned(),
    }
}

fn state_slug(link: Option<&Link>) -> &'static str {
    match link {
        None | Some(Link::Connecting) => "connecting",
        Some(Link::Live) => "live",
        Some(Link::Reconnecting { .. }) => "reconnecting",
        Some(Link::Offline { .. }) => "offline",
        Some(Link::Refused(_)) => "refused",
    }
}

/// The header's button: which backend, how it is doing; it opens the connection dialog.
#[component]
pub fn ConnectionControl(
    /// The backend the app runs now.
    mode: Signal<Mode>,
    /// Whether the dialog may keep a connection in this browser (the hosted page).
    remember: bool,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let zone = TimeZone::from_context();
    let open = RwSignal::new(false);
    let label = move || match mode.get() {
        Mode::Simulated => "Simulated backend".to_owned(),
        Mode::Live(_) => store
            .connection
            .with(|l| format!("Live API · {}", state_words(l.as_ref(), zone))),
    };
    let state = move || match mode.with(|m| matches!(m, Mode::Simulated)) {
        true => "simulated",
        false => store.connection.with(|l| state_slug(l.as_ref())),
    };
    view! {
        <button
            type="button"
            class="bs-badge bs-connection"
            data-state=move || String::from(state())
            title=move || match mode.get() {
                Mode::Simulated => {
                    "Data comes from the built-in simulator, not a live API. Click to connect to one."
                        .to_owned()
                }
                Mode::Live(o) => format!("Data comes from {}. Click to change.", o.base_url),
            }
            aria-haspopup="dialog"
            on:click=move |_| open.set(true)
        >
            {move || label()}
        </button>
        <When when=move || open.get()>
            <ConnectionDialog

                mode=mode
                remember=remember
                close=Callback::new(move |()| open.set(false))
            />
        </When>
    }
}

/// Simulated or live, and where the live API is: nothing changes until "Connect", and an
/// address that cannot be used is said next to it, keeping what was typed.
#[component]
fn ConnectionDialog(
    /// The backend the app runs now: what the dialog starts from.
    mode: Signal<Mode>,
    /// Whether the connection may be kept in this browser (the hosted page).
    remember: bool,

    /// Closes the dialog (Cancel, Escape, or after Connect).
    close: Callback<()>,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let switch = expect_context::<SwitchBackend>();
    let current = mode.get_untracked();
    let (address, token) = match &current {
        Mode::Live(o) => (o.base_url.clone(), o.token.clone().unwrap_or_default()),
        Mode::Simulated => (String::new(), String::new()),
    };
    let live = RwSignal::new(matches!(current, Mode::Live(_)));
    let address = RwSignal::new(address);
    let token = RwSignal::new(token);
    let keep = RwSignal::new(remember && remembered().is_some());
    let problem = RwSignal::new(None::<String>);
    // Sending the token unencrypted to another machine needs a tick of its own.
    let accept_clear = RwSignal::new(false);
    let clear_problem = RwSignal::new(false);
    let clear_warning = move || {
        if !live.get() || token.with(|t| t.trim().is_empty()) {
            return None;
        }
        base_url(&address.get())
            .ok()
            .and_then(|b| token_in_clear(&b))
    };
    let ids = next_id();
    let id = move |name: &str| format!("bs-connection-{ids}-{name}");
    let refused = move || {
        store.connection.with(|l| match l {
            Some(Link::Refused(why)) => Some(why.clone()),
            _ => None,
        })
    };

    let connect = move || {
        let next = if live.get_untracked() {
            match base_url(&address.get_untracked()) {
                Ok(base_url) => {
                    let token = token.get_untracked().trim().to_owned();
                    if !token.is_empty()
                        && token_in_clear(&base_url).is_some()
                        && !accept_clear.get_untracked()
                    {
                        clear_problem.set(true);
                        return;
                    }
                    Mode::Live(LiveOptions {
                        base_url,
                        token: (!token.is_empty()).then_some(token),
                    })
                }
                Err(why) => {
                    problem.set(Some(why));
                    return;
                }
            }
        } else {
            Mode::Simulated
        };
        if remember {
            let kept = match (&next, keep.get_untracked()) {
                (Mode::Live(o), true) => Some(o),
                _ => None,
            };
            if let Err(why) = remembered::remember(kept) {
                problem.set(Some(format!("The connection cannot be remembered: {why}.")));
                return;
            }
        }
        close.run(());
        switch.to(next);
    };

    view! {
        <Modal title="Connection".to_owned() on_cancel=close>
            <form
                class="bs-form bs-connection-form"
                novalidate=true
                on:submit=move |ev: web_sys::SubmitEvent| {
                    ev.prevent_default();
                    connect();
                }
            >
                <fieldset class="bs-form__field bs-connection-form__modes">
                    <legend class="bs-field__label">"Backend"</legend>
                    <label class="bs-check">
                        <input
                            type="radio"
                            name=id("mode")
                            prop:checked=move || !live.get()
                            on:change=move |_| live.set(false)
                        />
                        "Simulated: the built-in simulator, for practice and demonstrations"
                    </label>
                    <label class="bs-check">
                        <input
                            type="radio"
                            name=id("mode")
                            prop:checked=move || live.get()
                            on:change=move |_| live.set(true)
                        />
                        "Live API: a Bots Status server (see docs/api.md)"
                    </label>
                </fieldset>
                <When when=move || live.get()>
                    <div class="bs-form__field">
                        <label class="bs-field__label" for=id("address")>"API address"</label>
                        <input
                            id=id("address")
                            class="bs-input"
                            type="url"
                            placeholder="https://fleet.example.com"
                            autocomplete="url"
                            prop:value=move || address.get()
                            aria-invalid=move || problem.with(Option::is_some).to_string()
                            aria-describedby=id("problem")
                            on:input=move |ev| {
                                address.set(event_target_value(&ev));
                                problem.set(None);
                                accept_clear.set(false);
                            }
                        />
                        <div id=id("problem") class="bs-field__messages">
                            {move || problem.get().map(|p| view! { <p class="bs-field__error">{p}</p> }.into_any())}
                        </div>
                    </div>
                    <div class="bs-form__field">
                        <label class="bs-field__label" for=id("token")>"Access token"</label>
                        <input
                            id=id("token")
                            class="bs-input"
                            type="password"
                            autocomplete="off"
                            prop:value=move || token.get()
                            on:input=move |ev| token.set(event_target_value(&ev))
                        />
                        <p class="bs-field__hint">"Sent as a bearer token; leave it empty if the server needs none."</p>
                    </div>
                    {move || clear_warning().map(|warning| view! {
                        <div class="bs-form__field" role="group" aria-label="Unencrypted token">
                            <p class="bs-field__warning">{warning}</p>
                            <label class="bs-check">
                                <input
                                    type="checkbox"
                                    prop:checked=move || accept_clear.get()
                                    aria-invalid=move || clear_problem.get().to_string()
                                    on:change=move |ev| {
                                        accept_clear.set(event_target_checked(&ev));
                                        clear_problem.set(false);
                                    }
                                />
                                "Send the token over plain http anyway"
                            </label>
                            <When when=move || clear_problem.get()>
                                <p class="bs-field__error" role="alert">
                                    "Not connected: tick the box above to send the token unencrypted, or use an https:// address."
                                </p>
                            </When>
                        </div>
                    }.into_any())}
                    {remember.then(|| view! {
                        <label class="bs-check">
                            <input
                                type="checkbox"
                                prop:checked=move || keep.get()
                                on:change=move |ev| keep.set(event_target_checked(&ev))
                            />
                            "Remember on this device (keeps the address and the token in this browser's storage)"
                        </label>
                    }.into_any())}
                </When>
                {move || refused().map(|why| view! { <p class="bs-form__outcome" role="alert">{why}</p> }.into_any())}
                <div class="bs-dialog__buttons">
                    <button type="submit" class="bs-button bs-button--primary">
                        {move || String::from(if live.get() { "Connect" } else { "Use the simulator" })}
                    </button>
                    <button type="button" class="bs-button" on:click=move |_| close.run(())>
                        "Cancel"
                    </button>
                </div>
            </form>
        </Modal>
    }
}

/// Under the header while a live connection is not live: the page keeps what it showed, and
/// this says how old it is and what happens next.
#[component]
pub fn ConnectionStatus(
    /// The running adapter: "Retry now" asks a live one to reconnect.
    adapter: RwSignal<Option<Adapter>, LocalStorage>,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let zone = TimeZone::from_context();
    let as_of = move || {
        store
            .updated_at
            .get()
            .map(|ms| format!(" The page shows the fleet as of {}.", time_of_day(ms, zone)))
            .unwrap_or_default()
    };
    let retry = move |_| {
        if let Some(Adapter::Live(live)) = adapter.get_untracked() {
            live.retry_now();
        }
    };
    let status = move || {
        let text = store.connection.with(|link| match link {
            Some(Link::Reconnecting { .. }) => Some(match as_of() {
                // Never connected: nothing was lost yet.
                shown if shown.is_empty() => {
                    "The server cannot be reached yet; trying again…".to_owned()
                }
                shown => format!("Connection lost; reconnecting…{shown}"),
            }),
            Some(Link::Offline { since }) => Some(format!(
                "Offline since {}: the server cannot be reached, trying again.{}",
                hour_and_minute(*since, zone),
                as_of()
            )),
            Some(Link::Refused(why)) => Some(why.clone()),
            _ => None,
        })?;
        let offline = store
            .connection
            .with(|l| matches!(l, Some(Link::Offline { .. })));
        Some(view! {
            <p class="bs-connection-status" role="status">
                <span>{text}</span>
                {offline.then(|| view! {
                    <button type="button" class="bs-button bs-button--quiet" on:click=retry>"Retry now"</button>
                }.into_any())}
            </p>
        }
        .into_any())
    };
    view! { {move || status()} }
}
