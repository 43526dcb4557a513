//! The trainer's fault controls in the simulation area, from the troubleshooting pages: a bot
//! user disabled by the login policy (once, or on a dynamic IP again after every login), a
//! bot user someone else created (401), a traffic spike; and the fixes made outside the app,
//! in Conversational Cloud or on the bots' servers, that end them.

use bots_status_core::fleet::{first_bots_named, first_named};
use bots_status_core::settings::AgentUser;
use bots_status_core::simulator::faults::FaultError;
use bots_status_core::simulator::{Change, Simulator};
use leptos::prelude::*;

use crate::backend::simulated::SimulatedBackend;
use crate::store::FleetStore;

/// A bot user as the controls list it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct UserRow {
    login: String,
    account: String,
    note: String,
}

/// The first [`LISTED`] bot users whose login name holds `typed` (ignoring case), in the
/// directory's order (by login name), with how many hold it in all.
fn users_named(sim: &Simulator, typed: &str) -> (Vec<UserRow>, usize) {
    let users = sim.fleet.directory.users();
    let (users, total) = first_named(users, typed, LISTED, |u: &AgentUser| u.login_name.as_str());
    let rows = users.into_iter().map(|u| UserRow {
        login: u.login_name.clone(),
        account: u.account.clone(),
        note: sim.user_notes(&u.login_name).join(", "),
    });
    (rows.collect(), total)
}

/// How many choices a picker lists at most: a fleet of 100,000 connectors has as many bot
/// users, which no select can show (or build quickly).
const LISTED: usize = 100;

/// "Showing the first 100 of 40,103 bots: type to narrow the list." when the list is cut.
fn cut_note(listed: usize, all: usize, what: &str) -> Option<String> {
    (listed == LISTED && all > LISTED).then(|| {
        format!(
            "Showing the first {LISTED} of {} {what}: type to narrow the list.",
            bots_status_core::words::thousands(all as u64)
        )
    })
}

#[component]
pub fn FaultControls(
    /// The simulated backend the faults are injected into.
    sim: StoredValue<SimulatedBackend, LocalStorage>,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let revision = Memo::new(move |_| store.simulation.with(|s| s.as_ref().map(|s| s.revision)));
    let (user_typed, bot_typed) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    // Only what the pickers list is built: a fleet of 100,000 has as many bot users.
    let users = Memo::new(move |_| {
        // Read, not `track`ed: tracking a memo that nothing reads never computes it, so the
        // list (and its notes: disabled, dynamic IP) would not follow a fault.
        revision.get();
        user_typed.with(|t| sim.with_value(|b| b.with_simulator(|s| users_named(s, t))))
    });
    // The bots change only when connectors come or go: not on every status change.
    let bots = Memo::new(move |_| {
        store.roster.track();
        bot_typed.with(|t| {
            store
                .connectors
                .with_untracked(|list| first_bots_named(list, t, LISTED))
        })
    });
    let user = RwSignal::new(String::new());
    let bot = RwSignal::new(String::new());
    let spike = RwSignal::new("220".to_owned());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    // The chosen user, or the first listed while none of those listed is chosen.
    let chosen_user = move || {
        let u = user.get_untracked();
        users.with_untracked(|(r, _)| {
            r.iter()
                .find(|r| r.login == u)
                .or(r.first())
                .map(|r| r.login.clone())
        })
    };
    let chosen_bot = move || {
        let b = bot.get_untracked();
        bots.with_untracked(|(r, _)| {
            r.iter()
                .find(|x| x.id.0 == b)
                .or(r.first())
                .map(|x| x.id.clone())
        })
    };
    let report = move |result: Result<(), FaultError>, done: String| {
        outcome.set(Some(result.map(|()| done).map_err(|e| e.to_string())));
    };
    // A fault or fix of the chosen bot user, reported with what it did.
    let on_user =
        move |what: &'static str,
              fault: fn(&mut Simulator, &str) -> Result<Vec<Change>, FaultError>| {
            move |_| {
                let Some(login) = chosen_user() else { return };
                let result = sim.with_value(|b| b.inject(|s| fault(s, &login)));
                report(result, format!("{login}: {what}."));
            }
        };
    view! {
        <fieldset class="bs-simulation__servers bs-simulation__faults">
            <legend>"Bot users and traffic"</legend>
            <div class="bs-simulation__row">
            <label class="bs-field">
                <span class="bs-field__label">"Find a bot user"</span>
                <input class="bs-input" type="search" placeholder="login name" on:input=move |ev| user_typed.set(event_target_value(&ev)) />
            </label>
            <label class="bs-field">
                <span class="bs-field__label">"Bot user"</span>
                <select class="bs-select" on:change=move |ev| user.set(event_target_value(&ev))>
                    {move || users.get().0.into_iter().map(|r| {
                        let selected = r.login == user.get_untracked();
                        let text = if r.note.is_empty() {
                            format!("{} ({})", r.login, r.account)
                        } else {
                            format!("{} ({}) · {}", r.login, r.account, r.note)
                        };
                        view! { <option value=r.login.clone() selected=selected>{text}</option> }.into_any()
                    }).collect_view()}
                </select>
            </label>
            {move || users.with(|(listed, all)| cut_note(listed.len(), *all, "bot users")).map(|n| view! { <p class="bs-field__hint">{n}</p> }.into_any())}
            <div class="bs-button-row" role="group" aria-label="Faults of the bot user">
                <button type="button" class="bs-button" on:click=on_user(
                    "disabled by the login policy (failed logins from an IP outside the whitelist)",
                    Simulator::disable_by_login_policy,
                )>"Disable by login policy"</button>
                <button type="button" class="bs-button" on:click=on_user(
                    "its server now has a dynamic IP outside the whitelist, so a minute or two after each login it is disabled",
                    Simulator::put_on_dynamic_ip,
                )>"Move to a dynamic IP"</button>
                <button type="button" class="bs-button" on:click=on_user(
                    "now created by someone else, so its next start answers 401",
                    |s, login| s.hand_to_someone_else(login).map(|()| Vec::new()),
                )>"Created by someone else (401)"</button>
            </div>
            </div>
            <div class="bs-button-row" role="group" aria-label="Fixes outside the app">
                <span class="bs-simulation__outside">"Outside the app:"</span>
                <button type="button" class="bs-button" on:click=on_user(
                    "enabled again in Conversational Cloud; start its connectors",
                    |s, login| s.enable_bot_user(login).map(|()| Vec::new()),
                )>"Enable the bot user"</button>
                <button type="button" class="bs-button" on:click=on_user(
                    "its server has a static IP in the login policy's whitelist",
                    |s, login| s.give_static_ip(login).map(|()| Vec::new()),
                )>"Static IP, whitelisted"</button>
                <button type="button" class="bs-button" on:click=move |_| {
                    let Some(login) = chosen_user() else { return };
                    let Some(account) = users.with_untracked(|(r, _)| r.iter().find(|r| r.login == login).map(|r| r.account.clone())) else { return };
                    let result = sim.with_value(|b| b.inject(|s| { s.whitelist_ip_range(&account); Ok(Vec::new()) }));
                    report(result, format!("Account {account}'s login policy now whitelists the full IP range of the bot servers."));
                }>"Whitelist the account's IP range"</button>
            </div>
            <div class="bs-simulation__row">
            <label class="bs-field">
                <span class="bs-field__label">"Find a bot"</span>
                <input class="bs-input" type="search" placeholder="bot name" on:input=move |ev| bot_typed.set(event_target_value(&ev)) />
            </label>
            <label class="bs-field">
                <span class="bs-field__label">"Bot"</span>
                <select class="bs-select" on:change=move |ev| bot.set(event_target_value(&ev))>
                    {move || bots.get().0.into_iter().map(|b| {
                        let selected = b.id.0 == bot.get_untracked();
                        view! { <option value=b.id.0 selected=selected>{b.name}</option> }.into_any()
                    }).collect_view()}
                </select>
            </label>
            {move || bots.with(|(listed, all)| cut_note(listed.len(), *all, "bots")).map(|n| view! { <p class="bs-field__hint">{n}</p> }.into_any())}
            <label class="bs-field">
                <span class="bs-field__label">"Concurrent conversations"</span>
                <input
                    class="bs-input bs-input--short"
                    type="number"
                    min="0"
                    prop:value=move || spike.get()
                    on:input=move |ev| spike.set(event_target_value(&ev))
                />
            </label>
            <div class="bs-button-row" role="group" aria-label="Faults of the bot">
                <button type="button" class="bs-button" on:click=move |_| {
                    let Some(bot) = chosen_bot() else { return };
                    let Ok(concurrent) = spike.get_untracked().trim().parse::<u32>() else {
                        outcome.set(Some(Err(format!(
                            "\"{}\" is not a number of conversations: enter a whole number such as 220.",
                            spike.get_untracked()
                        ))));
                        return;
                    };
                    let result = sim.with_value(|b| b.inject(|s| s.spike(&bot, concurrent)));
                    report(result, format!("Traffic spike: {concurrent} concurrent conversations, shared by the bot's online connectors."));
                }>"Traffic spike"</button>
                <button type="button" class="bs-button" on:click=move |_| {
                    let Some(bot) = chosen_bot() else { return };
                    let result = sim.with_value(|b| b.inject(|s| s.put_half_on_dynamic_ips(&bot)));
                    report(result, "Every other bot user of the bot now runs on a server with a dynamic IP: they are disabled a minute or two after logging in.".to_owned());
                }>"Dynamic IPs on half its bot users"</button>
            </div>
            </div>
            {move || outcome.get().map(|o| match o {
                Ok(text) => view! { <p class="bs-simulation__outcome" role="status">{text}</p> }.into_any(),
                Err(text) => view! { <p class="bs-field__error" role="alert">{text}</p> }.into_any(),
            })}
        </fieldset>
    }
}
