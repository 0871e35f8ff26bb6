//! The ssh command git runs for ssh URLs: none of the daemon user's configuration, keys or agent
//! (a tenant must not clone with the daemon's identity), servers checked against the configured
//! known-hosts file, and the connection pinned to the address the daemon checked.

use std::net::IpAddr;
use std::path::Path;

use super::{SourceError, SourcePolicy};

/// Where the connection goes: the address that passed the address rule, under the name the
/// known-hosts file knows the server by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// The checked address ssh connects to (no second lookup, no rebinding).
    pub addr: IpAddr,
    /// The host name in the URL, looked up in the known-hosts file instead of the address.
    pub alias: String,
}

/// The ssh command line (`GIT_SSH_COMMAND`, run by git through the shell) for `policy`.
///
/// Local mode runs ssh as its one user would (their config, keys, agent and known hosts): that
/// user is the only tenant. Otherwise ssh reads no configuration (`-F /dev/null`), offers no key
/// (`IdentityFile=none` with `IdentitiesOnly`) and no agent unless `ssh_agent` is set, and
/// accepts only hosts in the configured known-hosts file. `identity` is the tenant's key file:
/// the one key offered then (`IdentitiesOnly`).
pub fn command(
    policy: &SourcePolicy,
    pin: Option<&Pin>,
    identity: Option<&Path>,
) -> Result<String, SourceError> {
    let mut words = vec![quote(&policy.ssh_program.to_string_lossy())];
    let mut options: Vec<String> = vec!["BatchMode=yes".into(), "ConnectTimeout=30".into()];
    if !policy.local_mode {
        let known_hosts = policy.ssh_known_hosts.as_deref().ok_or_else(|| {
            SourceError::Refused(
                "ssh git URLs need sources.ssh_known_hosts (a known-hosts file holding the servers' keys); \
                 use an https:// URL"
                    .into(),
            )
        })?;
        words.extend(["-F".into(), "/dev/null".into()]);
        match identity {
            Some(key) => {
                options.extend([format!("IdentityFile={}", path_text(key)), "IdentitiesOnly=yes".into()])
            }
            None => options.push("IdentityFile=none".into()),
        }
        if !policy.ssh_agent {
            if identity.is_none() {
                options.push("IdentitiesOnly=yes".into());
            }
            options.push("IdentityAgent=none".into());
        }
        options.extend([
            "StrictHostKeyChecking=yes".into(),
            format!("UserKnownHostsFile={}", path_text(known_hosts)),
            "GlobalKnownHostsFile=/dev/null".into(),
            "UpdateHostKeys=no".into(),
            "CheckHostIP=no".into(),
        ]);
    }
    if let (Some(key), true) = (identity, policy.local_mode) {
        options.extend([format!("IdentityFile={}", path_text(key)), "IdentitiesOnly=yes".into()]);
    }
    if let Some(pin) = pin {
        options.extend([format!("HostName={}", pin.addr), format!("HostKeyAlias={}", pin.alias)]);
    }
    for o in options {
        words.push("-o".into());
        words.push(quote(&o));
    }
    Ok(words.join(" "))
}

/// Whether the ssh agent's socket may reach ssh.
pub fn agent_allowed(policy: &SourcePolicy) -> bool {
    policy.local_mode || policy.ssh_agent
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Quotes `word` for the POSIX shell git runs the command with.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn a_shared_daemon_lends_no_identity() {
        let policy = SourcePolicy {
            ssh_known_hosts: Some(PathBuf::from("/etc/cairn/known hosts")),
            ..SourcePolicy::default()
        };
        let pin = Pin { addr: "140.82.121.3".parse().expect("ip"), alias: "github.com".into() };
        let cmd = command(&policy, Some(&pin), None).expect("command");
        assert_eq!(
            cmd,
            "'ssh' -F /dev/null -o 'BatchMode=yes' -o 'ConnectTimeout=30' -o 'IdentityFile=none' \
             -o 'IdentitiesOnly=yes' -o 'IdentityAgent=none' -o 'StrictHostKeyChecking=yes' \
             -o 'UserKnownHostsFile=/etc/cairn/known hosts' -o 'GlobalKnownHostsFile=/dev/null' \
             -o 'UpdateHostKeys=no' -o 'CheckHostIP=no' -o 'HostName=140.82.121.3' -o 'HostKeyAlias=github.com'"
        );
        let agent = SourcePolicy { ssh_agent: true, ..policy.clone() };
        let cmd = command(&agent, None, None).expect("command");
        assert!(cmd.contains("IdentityFile=none") && !cmd.contains("IdentityAgent=none"), "{cmd}");
        assert!(agent_allowed(&agent) && !agent_allowed(&policy));
    }

    #[test]
    fn no_known_hosts_refuses_ssh_outside_local_mode() {
        let err = command(&SourcePolicy::default(), None, None).expect_err("refused");
        assert!(matches!(err, SourceError::Refused(_)), "{err}");
        let local = SourcePolicy { local_mode: true, ..SourcePolicy::default() };
        assert_eq!(
            command(&local, None, None).expect("local"),
            "'ssh' -o 'BatchMode=yes' -o 'ConnectTimeout=30'"
        );
    }

    #[test]
    fn a_tenant_key_is_the_only_identity_offered() {
        let policy = SourcePolicy { ssh_known_hosts: Some(PathBuf::from("/kh")), ..SourcePolicy::default() };
        let cmd = command(&policy, None, Some(Path::new("/work/j1/home/ssh_key"))).expect("command");
        assert!(
            cmd.contains(
                "-o 'IdentityFile=/work/j1/home/ssh_key' -o 'IdentitiesOnly=yes' -o 'IdentityAgent=none'"
            ),
            "{cmd}"
        );
        assert!(!cmd.contains("IdentityFile=none"), "{cmd}");
    }

    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(quote("a'b c"), r"'a'\''b c'");
    }
}
