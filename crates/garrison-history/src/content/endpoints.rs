//! Exfiltration-style endpoints and credential stores.

use super::kinds::HitKind;
use super::lines::Line;
use super::sink::Sink;
use super::text::*;
use memchr::memmem;

pub(super) fn scan_endpoint(sink: &mut Sink, line: &Line<'_>) {
    let lc = lower(line.text);
    let named: &[(&[u8], &str)] = &[
        (b"discord.com/api/webhooks", "Discord webhook"),
        (b"discordapp.com/api/webhooks", "Discord webhook"),
        (b"hooks.slack.com/services", "Slack webhook"),
        (b"api.telegram.org/bot", "Telegram bot API"),
        (b"pastebin.com", "paste site"),
        (b"paste.ee", "paste site"),
        (b"hastebin", "paste site"),
        (b"transfer.sh", "file drop"),
        (b"ngrok.io", "tunnel"),
        (b"ngrok-free.app", "tunnel"),
        (b"ngrok.app", "tunnel"),
        (b"webhook.site", "request catcher"),
        (b"requestbin", "request catcher"),
        (b"pipedream.net", "request catcher"),
        (b"interact.sh", "OAST endpoint"),
        (b"oastify.com", "OAST endpoint"),
        (b"burpcollaborator", "OAST endpoint"),
    ];
    for (pat, d) in named {
        if let Some(p) = find(&lc, pat) {
            sink.push(HitKind::SUSPICIOUS_ENDPOINT, line, false, p, d);
            return;
        }
    }
    if let Some(p) = find(&lc, b".onion")
        && !is_ident(byte_at(&lc, p + 6))
        && p >= 16
    {
        sink.push(
            HitKind::SUSPICIOUS_ENDPOINT,
            line,
            false,
            p,
            "Tor .onion address",
        );
        return;
    }
    for p in memmem::find_iter(&lc, b"://").take(8) {
        let rest = tail(&lc, p + 3);
        let rest = match memchr::memchr(b'@', head(rest, 64)) {
            Some(a) if !head(rest, a).contains(&b'/') => tail(rest, a + 1),
            _ => rest,
        };
        let end = rest
            .iter()
            .position(|b| !(b.is_ascii_digit() || *b == b'.'))
            .unwrap_or(rest.len());
        let host = head(rest, end);
        let octets: Vec<&[u8]> = host.split(|b| *b == b'.').collect();
        if octets.len() != 4 || octets.iter().any(|o| o.is_empty() || o.len() > 3) {
            continue;
        }
        let v: Vec<u32> = octets
            .iter()
            .map(|o| o.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0')))
            .collect();
        if v.iter().any(|x| *x > 255) {
            continue;
        }
        let (a, b, c) = (
            v.first().copied().unwrap_or(0),
            v.get(1).copied().unwrap_or(0),
            v.get(2).copied().unwrap_or(0),
        );
        let special = a == 127
            || a == 0
            || a == 10
            || a >= 224
            || (a == 192 && b == 168)
            || (a == 172 && (16..32).contains(&b))
            || (a == 169 && b == 254)
            || (a == 192 && b == 0 && c == 2)
            || (a == 198 && b == 51 && c == 100)
            || (a == 203 && b == 0 && c == 113);
        if !special {
            sink.push(
                HitKind::SUSPICIOUS_ENDPOINT,
                line,
                false,
                p,
                &format!("URL with raw public IP {}", lossy(host)),
            );
            return;
        }
    }
}

pub(super) fn scan_credentials(sink: &mut Sink, line: &Line<'_>) {
    let lc = lower(line.text);
    let pats: &[(&[u8], &str)] = &[
        (b".ssh/id_", "SSH private key"),
        (b".ssh/authorized_keys", "SSH authorized_keys"),
        (b"id_rsa", "SSH private key"),
        (b"id_ed25519", "SSH private key"),
        (b".aws/credentials", "AWS credentials"),
        (b".pypirc", "PyPI credentials (.pypirc)"),
        (b".netrc", ".netrc credentials"),
        (b".git-credentials", "git credentials"),
        (b".docker/config.json", "Docker registry credentials"),
        (b".kube/config", "Kubernetes credentials"),
        (b".npmrc", "npm credentials"),
        (b"login data", "browser saved passwords"),
        (b"local storage/leveldb", "browser/Discord local storage"),
        (b"local state", "browser key store"),
        (b"cookies.sqlite", "browser cookies"),
        (b"wallet.dat", "crypto wallet"),
        (b"/etc/shadow", "/etc/shadow"),
        (b"login.keychain", "macOS keychain"),
    ];
    for (pat, d) in pats {
        if let Some(p) = find(&lc, pat) {
            sink.push(HitKind::CREDENTIAL_ACCESS, line, false, p, d);
            return;
        }
    }
}
