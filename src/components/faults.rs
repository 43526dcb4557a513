//! The trainer's fault controls in the simulation area, from the troubleshooting pages: a bot
//! user disabled by the login policy (once, or on a dynamic IP again after every login), a
//! bot user someone else created (401), a traffic spike; and the fixes made outside the app,
//! in Conversational Cloud or on the bots' servers, that end them.

use bots_status_core::fleet::bots;
use bots_status_core::model::BotId;
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

fn users(sim: &Simulator) -> Vec<UserRow> {
    let mut rows: Vec<UserRow> = sim
        .fleet
        .directory
        .users
        .iter()
        .map(|u| UserRow {
            login: u.login_name.clone(),
            account: u.account.clone(),
            note: sim.user_notes(&u.login_name).join(", "),
        })
        .collect();
    rows.sort_by(|a, b| a.login.cmp(&b.login));
    rows
}

#[component]
pub fn FaultControls(
    /// The simulated backend the faults are injected into.
    sim: StoredValue<SimulatedBackend, LocalStorage>,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let revision = Memo::new(move |_| store.simulation.with(|s| s.as_ref().map(|s| s.revision)));
    let user_rows = Memo::new(move |_| {
        revision.track();
        sim.with_value(|b| b.with_simulator(users))
    });
    let bot_choices = Memo::new(move |_| store.connectors.with(|list| bots(list)));
    let user = RwSignal::new(String::new());
    let bot = RwSignal::new(String::new());
    let spike = RwSignal::new("220".to_owned());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    // The chosen user, or the first listed while nothing is chosen.
    let chosen_user = move || {
        let u = user.get_untracked();
        if u.is_empty() {
            user_rows.with_untracked(|r| r.first().map(|r| r.login.clone()))
        } else {
            Some(u)
        }
    };
    let chosen_bot = move || {
        let b = bot.get_untracked();
        if b.is_empty() {
            bot_choices.with_untracked(|r| r.first().map(|b| b.id.clone()))
        } else {
            Some(BotId(b))
        }
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
                <span class="bs-field__label">"Bot user"</span>
                <select class="bs-select" on:change=move |ev| user.set(event_target_value(&ev))>
                    {move || user_rows.get().into_iter().map(|r| {
                        let selected = r.login == user.get_untracked();
                        let text = if r.note.is_empty() {
                            format!("{} ({})", r.login, r.account)
                        } else {
                            format!("{} ({}) · {}", r.login, r.account, r.note)
                        };
                        view! { <option value=r.login.clone() selected=selected>{text}</option> }
                    }).collect_view()}
                </select>
            </label>
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
                    let Some(account) = user_rows.with_untracked(|r| r.iter().find(|r| r.login == login).map(|r| r.account.clone())) else { return };
                    let result = sim.with_value(|b| b.inject(|s| { s.whitelist_ip_range(&account); Ok(Vec::new()) }));
                    report(result, format!("Account {account}'s login policy now whitelists the full IP range of the bot servers."));
                }>"Whitelist the account's IP range"</button>
            </div>
            <div class="bs-simulation__row">
            <label class="bs-field">
                <span class="bs-field__label">"Bot"</span>
                <select class="bs-select" on:change=move |ev| bot.set(event_target_value(&ev))>
                    {move || bot_choices.get().into_iter().map(|b| {
                        let selected = b.id.0 == bot.get_untracked();
                        view! { <option value=b.id.0 selected=selected>{b.name}</option> }
                    }).collect_view()}
                </select>
            </label>
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
