//! The open problems of Production in the header: a Connector Not Connected, a bot without
//! failover, a bot over capacity. Each is new until the user acknowledges it (one or all);
//! the hosted page's title counts the new ones ("(3) Bots Status"), and a user who opts in is
//! told of each new one by the browser's notifications. What was acknowledged is kept in this
//! browser for as long as the problem stays open.

use bots_status_core::alerts::{OpenProblem, Watch, open_alerts, titled};
use leptos::prelude::*;

use crate::components::toasts::Toasts;
use crate::effect::effect;
use crate::format::{TimeZone, moment};
use crate::prefs::PrefsKey;
use crate::store::FleetStore;

/// How long after a change the problems are looked at again: a burst of changes costs one
/// look at the fleet, not one per batch, and the first look comes after the first paint.
const SETTLE_MS: u32 = 400;
/// The most browser notifications one look raises; more are told as one.
const NOTIFY_AT_MOST: usize = 3;
/// The most problems the area lists; the rest are counted beneath. A fleet in trouble can
/// have thousands open, and the Bot Agents page lists them all.
const LIST_AT_MOST: usize = 50;

#[component]
pub fn Problems(
    /// Where acknowledgements and the opt-in are kept.
    prefs: PrefsKey,
    /// Whether the document's title counts the new problems (the hosted page).
    title: bool,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let toasts = Toasts::from_context();
    let zone = TimeZone::from_context();
    let watch = RwSignal::new(Watch::remembering(prefs.acknowledged()));
    let prefs = StoredValue::new(prefs);
    let notify =
        RwSignal::new(prefs.with_value(PrefsKey::notifications) && notifications_allowed());
    let notify_said = RwSignal::new(None::<String>);
    // Whether the fleet has been looked at yet: until then, "nothing is wrong" is not known.
    let looked = RwSignal::new(false);

    let keep = move |w: &Watch| {
        if let Err(why) = prefs.with_value(|p| p.save_acknowledged(w.acknowledged())) {
            toasts.failed(format!(
                "The acknowledgement is not kept in this browser: {why}."
            ));
        }
    };
    // One look at the fleet, a moment after it changed.
    let pending = StoredValue::new_local(None::<gloo_timers::callback::Timeout>);
    let look = move || {
        pending.set_value(None);
        if !store.loaded() {
            return;
        }
        let open = store.connectors.with_untracked(|c| open_alerts(c));
        let at = store.backend_now(web_sys::js_sys::Date::now());
        let mut opened = Vec::new();
        watch.update(|w| {
            let looked = w.update(open, at);
            if looked.acknowledgements_moved {
                keep(w);
            }
            opened = looked.opened;
        });
        if !looked.get_untracked() {
            looked.set(true);
        }
        if notify.get_untracked() {
            tell(&opened);
        }
    };
    effect(move || {
        store.connectors.track();
        store.updated_at.track();
        if pending.with_value(Option::is_none) {
            pending.set_value(Some(gloo_timers::callback::Timeout::new(SETTLE_MS, look)));
        }
    });
    on_cleanup(move || pending.set_value(None));

    let count = Memo::new(move |_| watch.with(Watch::unacknowledged));
    // The list is built only while the area is open.
    let shown = RwSignal::new(false);
    let panel = NodeRef::<leptos::html::Details>::new();
    let toggle = NodeRef::<leptos::html::Summary>::new();
    if title && let Some(document) = web_sys::window().and_then(|w| w.document()) {
        let base = document.title();
        let named = if base.trim().is_empty() {
            "Bots Status".to_owned()
        } else {
            base.clone()
        };
        effect(move || {
            let n = count.get();
            if let Some(d) = web_sys::window().and_then(|w| w.document()) {
                d.set_title(&titled(n, &named));
            }
        });
        let base = send_wrapper::SendWrapper::new(base);
        on_cleanup(move || document.set_title(&base));
    }

    let acknowledge = move |problem: OpenProblem| {
        watch.update(|w| {
            w.acknowledge(&problem.alert);
            keep(w);
        });
    };
    let acknowledge_all = move |_| {
        watch.update(|w| {
            w.acknowledge_all();
            keep(w);
        });
    };
    let opt_in = move |ev: web_sys::Event| {
        let on = event_target_checked(&ev);
        if let Err(why) = prefs.with_value(|p| p.save_notifications(on)) {
            toasts.failed(format!("The choice is not kept in this browser: {why}."));
        }
        if !on {
            notify.set(false);
            notify_said.set(None);
            return;
        }
        ask_permission(move |granted| {
            notify.set(granted);
            notify_said.set((!granted).then(|| {
                "The browser does not allow notifications for this page: allow them in its site \
                 settings, then tick this again."
                    .to_owned()
            }));
        });
    };
    view! {
        <details
            node_ref=panel
            class="bs-problems"
            data-looked=move || looked.get().to_string()
            on:toggle=move |ev| {
                let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
                shown.set(open);
            }
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                // Escape closes the panel, and the focus goes back to its toggle.
                if ev.key() == "Escape" && shown.get_untracked() {
                    if let Some(details) = panel.get_untracked() {
                        details.set_open(false);
                    }
                    if let Some(toggle) = toggle.get_untracked() {
                        let _ = toggle.focus();
                    }
                    ev.stop_propagation();
                }
            }
        >
            <summary node_ref=toggle class="bs-problems__toggle">
                "Problems"
                <span class="bs-problems__count" data-count=move || count.get().to_string() hidden=move || count.get() == 0>
                    {move || count.get().to_string()}
                    <span class="bs-visually-hidden">" new"</span>
                </span>
            </summary>
            <div class="bs-problems__panel" role="region" aria-label="Open problems of Production">
                <div class="bs-problems__head">
                    <strong>"Open problems of Production"</strong>
                    <button
                        type="button"
                        class="bs-button"
                        disabled=move || count.get() == 0
                        on:click=acknowledge_all
                    >
                        "Acknowledge all"
                    </button>
                </div>
                {move || {
                    if !shown.get() {
                        return ().into_any();
                    }
                    let (problems, open) = watch.with(|w| (w.problems(LIST_AT_MOST), w.len()));
                    if !looked.get() {
                        return view! { <p class="bs-problems__none">"Looking at the fleet…"</p> }.into_any();
                    }
                    if problems.is_empty() {
                        return view! { <p class="bs-problems__none">"Nothing is wrong in Production."</p> }.into_any();
                    }
                    let now = web_sys::js_sys::Date::now();
                    view! {
                        <ul class="bs-problems__list">
                            {problems
                                .into_iter()
                                .map(|p| {
                                    let since = moment(p.since.0 as f64, now, zone);
                                    let acknowledged = p.acknowledged;
                                    let text = p.text.clone();
                                    let kind = p.alert.kind();
                                    view! {
                                        <li class="bs-problems__item" data-kind=kind data-acknowledged=acknowledged.to_string()>
                                            <span class="bs-problems__text">{text}</span>
                                            <span class="bs-problems__since">{format!("Since {since}")}</span>
                                            {(!acknowledged).then(|| view! {
                                                <button type="button" class="bs-button bs-button--small" on:click=move |_| acknowledge(p.clone())>
                                                    "Acknowledge"
                                                </button>
                                            }.into_any())}
                                        </li>
                                    }.into_any()
                                })
                                .collect_view()}
                        </ul>
                        {(open > LIST_AT_MOST).then(|| view! {
                            <p class="bs-problems__none">
                                {format!("And {} more: the Bot Agents page lists every connector.", open - LIST_AT_MOST)}
                            </p>
                        }.into_any())}
                    }
                    .into_any()
                }}
                <label class="bs-problems__notify">
                    <input type="checkbox" prop:checked=move || notify.get() on:change=opt_in />
                    " Tell me of new problems with browser notifications"
                </label>
                {move || notify_said.get().map(|s| view! { <p class="bs-problems__said" role="status">{s}</p> }.into_any())}
            </div>
        </details>
    }
}

/// Whether this browser has notifications and this page may show them.
fn notifications_allowed() -> bool {
    has_notifications()
        && web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
}

fn has_notifications() -> bool {
    web_sys::window()
        .is_some_and(|w| web_sys::js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false))
}

/// Asks the browser for leave to notify (it may ask the user), then says whether it was given.
fn ask_permission(then: impl FnOnce(bool) + 'static) {
    if !has_notifications() {
        then(false);
        return;
    }
    if web_sys::Notification::permission() == web_sys::NotificationPermission::Granted {
        then(true);
        return;
    }
    let Ok(promise) = web_sys::Notification::request_permission() else {
        then(false);
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let answer = wasm_bindgen_futures::JsFuture::from(promise).await;
        then(answer.ok().and_then(|a| a.as_string()).as_deref() == Some("granted"));
    });
}

/// One browser notification per newly opened problem, up to [`NOTIFY_AT_MOST`]; the rest
/// as one.
fn tell(opened: &[OpenProblem]) {
    if opened.is_empty() || !notifications_allowed() {
        return;
    }
    let show = |body: &str, tag: &str| {
        let options = web_sys::NotificationOptions::new();
        options.set_body(body);
        options.set_tag(tag);
        // Shown by the browser; nothing to keep of it.
        let _ = web_sys::Notification::new_with_options(
            "Bots Status: a problem in Production",
            &options,
        );
    };
    for p in opened.iter().take(NOTIFY_AT_MOST) {
        show(&p.text, &p.alert.key());
    }
    if opened.len() > NOTIFY_AT_MOST {
        let more = opened.len() - NOTIFY_AT_MOST;
        show(
            &format!("And {more} more: open Bots Status to see them."),
            "bots-status-more",
        );
    }
}
