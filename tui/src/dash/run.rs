//! The dashboard's event loop: sets the terminal up (raw mode, alternate screen, mouse, bracketed
//! paste) and restores it on every way out, panics included; one `select!` over terminal events,
//! the executor's messages and a 250 ms tick feeds the `App`, sends its `Cmd`s to the executor and
//! draws after each batch of changes.

use std::io::{Stdout, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use cairn_sdk::Client;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, EventStream,
};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use time::OffsetDateTime;
use tokio::sync::mpsc;

use super::app::{App, Options};
use super::exec::Executor;
use super::keys::KeyMap;
use super::msg::{Cmd, Msg};

/// How often the clock reaches the `App` (spinners, "3m ago", toasts expiring).
const TICK: Duration = Duration::from_millis(250);
/// Messages handled before a draw when many arrive at once (a burst of progress events).
const BATCH: usize = 256;

/// True when `NO_COLOR` is set and not empty (no-color.org).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Puts the terminal back as it was: leaves the alternate screen, stops mouse capture and
/// bracketed paste, shows the cursor, leaves raw mode. Safe to call more than once.
pub fn restore_terminal() {
    let mut out = std::io::stdout();
    let _ = crossterm::execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Set by the panic hook: the terminal was restored, so the loop must not draw again.
static PANICKED: AtomicBool = AtomicBool::new(false);

/// Restores the terminal before the default panic message prints, so a panic is readable and
/// leaves a usable shell. A panic in a task (which tokio survives) also ends the loop.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.store(true, Ordering::SeqCst);
            restore_terminal();
            previous(info);
        }));
    });
}

/// The terminal in dashboard mode; dropping it restores the terminal (errors and early returns).
struct Screen {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Screen {
    fn enter() -> anyhow::Result<Screen> {
        install_panic_hook();
        enable_raw_mode().context("switching the terminal to raw mode")?;
        let mut out = std::io::stdout();
        if let Err(e) =
            crossterm::execute!(out, EnterAlternateScreen, EnableMouseCapture, EnableBracketedPaste)
        {
            restore_terminal();
            return Err(e).context("setting the terminal up");
        }
        match Terminal::new(CrosstermBackend::new(out)) {
            Ok(terminal) => Ok(Screen { terminal }),
            Err(e) => {
                restore_terminal();
                Err(e).context("setting the terminal up")
            }
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Runs the dashboard against `client`'s daemon with `keys` until the user quits.
pub async fn run(client: Client, local: bool, readonly: bool, keys: KeyMap) -> anyhow::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut exec = Executor::new(client, local, tx);
    let mut app = App::new(Options { readonly, color: !no_color() }).with_keys(keys);
    if let Ok(dir) = std::env::current_dir() {
        app = app.with_start_dir(dir.display().to_string());
    }
    let mut screen = Screen::enter()?;
    exec.start_feed();
    dispatch(&mut exec, app.tick(OffsetDateTime::now_utc()));
    dispatch(&mut exec, app.init());
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_draw_second = i64::MIN;
    loop {
        if PANICKED.load(Ordering::SeqCst) {
            anyhow::bail!("the dashboard stopped after an internal error (reported above)");
        }
        if dirty {
            screen.terminal.draw(|frame| app.draw(frame)).context("drawing")?;
            dirty = false;
        }
        if app.should_quit() {
            break;
        }
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    dispatch(&mut exec, app.handle(&event));
                    dirty = true;
                }
                Some(Err(e)) => return Err(e).context("reading the terminal"),
                None => break,
            },
            msg = rx.recv() => {
                // The executor holds a sender for as long as it lives: `None` cannot happen.
                let Some(msg) = msg else { break };
                dispatch(&mut exec, app.update(msg));
                for _ in 1..BATCH {
                    match rx.try_recv() {
                        Ok(msg) => dispatch(&mut exec, app.update(msg)),
                        Err(_) => break,
                    }
                }
                dirty = true;
            }
            _ = tick.tick() => {
                let now = OffsetDateTime::now_utc();
                let cmds = app.tick(now);
                // Ratatui only writes the cells that changed; still, render for the clock only
                // once a second (spinners, "3m ago", toasts expiring), or when the tick asked for work.
                if !cmds.is_empty() || now.unix_timestamp() != last_draw_second {
                    last_draw_second = now.unix_timestamp();
                    dirty = true;
                }
                dispatch(&mut exec, cmds);
            }
        }
    }
    drop(screen);
    Ok(())
}

fn dispatch(exec: &mut Executor, cmds: Vec<Cmd>) {
    for cmd in cmds {
        exec.run(cmd);
    }
}
