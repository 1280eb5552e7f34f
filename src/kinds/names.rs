//! The platform's naming conventions, in one place, and safe Terraform identifiers.

use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug)]
pub struct Convention {
    pub what: String,
    pub pattern: String,
    pub example: String,
    regex: Regex,
}

macro_rules! convention {
    ($name:ident, $what:literal, $pattern:literal, $example:literal) => {
        pub static $name: LazyLock<Convention> =
            LazyLock::new(|| Convention::new($what, $pattern, $example));
    };
}

convention!(MODULE_ID, "module id", r"MOD-[0-9]{3,5}", "MOD-042");
convention!(DOMAIN_ID, "system domain id", r"SD[0-9]{2}", "SD07");
convention!(ENV_NAME, "environment name", r"[a-z][a-z0-9]{1,9}", "dev");
convention!(
    LOG_GROUP,
    "log group name",
    r"/[A-Za-z0-9_./-]+",
    "/aws/secretsmanager/bank-access"
);
convention!(
    EVENT_NAME,
    "event name",
    r"[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)+",
    "account.created"
);
convention!(
    DETAIL_TYPE,
    "detail-type",
    r"[A-Z][A-Za-z0-9]*",
    "AccountCreated"
);
convention!(
    SUBSCRIPTION,
    "subscription name",
    r"[a-z][a-z0-9-]{0,39}",
    "aml-transactions"
);
convention!(
    QUEUE_NAME,
    "queue name",
    r"[a-z][a-z0-9-]{0,60}",
    "mod-018-alerts"
);
convention!(
    ATTRIBUTE,
    "custom attribute name",
    r"[a-z][a-z0-9_]{0,19}",
    "jurisdiction"
);
convention!(
    CLIENT_NAME,
    "app client name",
    r"[a-z][a-z0-9-]{0,40}",
    "mobile-app"
);
convention!(ACCOUNT_ID, "AWS account id", r"[0-9]{12}", "123456789012");

/// The conventions that carry the tenant's name prefix (`bank`: `bank-iceberg`, `bank/pii`,
/// `BankCoreRole`, `bank.core`, `/bank/{env}/…`): platform.yaml's `name_prefix`, so that
/// nothing in bankgen assumes one tenant's names.
#[derive(Debug)]
pub struct Naming {
    pub prefix: String,
    pub resource: Convention,
    pub bus: Convention,
    pub key_alias: Convention,
    pub role: Convention,
    pub secret: Convention,
    pub secret_prefix: Convention,
    pub event_source: Convention,
    pub ssm_path: Convention,
}

/// What a name prefix may be: it starts every resource name, so it is short and plain.
pub static NAME_PREFIX: LazyLock<Convention> =
    LazyLock::new(|| Convention::new("name prefix", r"[a-z][a-z0-9]{0,15}", "bank"));

impl Naming {
    /// The conventions for `prefix`, which must match [`NAME_PREFIX`].
    pub fn new(prefix: &str) -> Naming {
        let p = regex::escape(prefix);
        // `bank` → `Bank`: role names are CamelCase.
        let camel: String = prefix
            .chars()
            .enumerate()
            .map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c })
            .collect();
        let c = |what: &str, pattern: String, example: String| {
            Convention::new(what, &pattern, &example)
        };
        Naming {
            prefix: prefix.to_string(),
            resource: c(
                "resource name",
                format!("{p}-[a-z0-9]+(?:-[a-z0-9]+)*"),
                format!("{prefix}-iceberg"),
            ),
            bus: c(
                "event bus name",
                format!("{p}-[a-z0-9]+(?:-[a-z0-9]+)*|default"),
                format!("{prefix}-core"),
            ),
            key_alias: c(
                "KMS key alias",
                format!("{p}/[a-z][a-z0-9-]*"),
                format!("{prefix}/pii"),
            ),
            role: c(
                "IAM role name",
                format!("{}[A-Z][A-Za-z0-9]*Role", regex::escape(&camel)),
                format!("{camel}CoreRole"),
            ),
            secret: c(
                "secret name",
                format!("{p}-[a-z0-9-]+(?:/[a-z0-9-]+)+"),
                format!("{prefix}-aml/sanctions/decryption-key"),
            ),
            secret_prefix: c(
                "secret name prefix",
                format!("{p}-[a-z0-9-]+(?:/[a-z0-9-]+)*"),
                format!("{prefix}-core/neon"),
            ),
            event_source: c(
                "event source",
                format!(r"{p}\.[a-z][a-z0-9-]*"),
                format!("{prefix}.core"),
            ),
            ssm_path: c(
                &format!("SSM parameter path below /{prefix}/{{env}}/"),
                r"[a-z0-9-]+(?:/[a-z0-9-]+)+".to_string(),
                "kms/pii/arn".to_string(),
            ),
        }
    }
}

impl Convention {
    pub fn new(what: &str, pattern: &str, example: &str) -> Convention {
        Convention {
            what: what.to_string(),
            pattern: pattern.to_string(),
            example: example.to_string(),
            regex: Regex::new(&format!("^(?:{pattern})$")).expect("valid pattern"),
        }
    }

    pub fn matches(&self, value: &str) -> bool {
        self.regex.is_match(value)
    }

    pub fn help(&self) -> String {
        format!(
            "{} {} looks like `{}` (pattern `{}`)",
            article(&self.what),
            self.what,
            self.example,
            self.pattern
        )
    }
}

/// `a` or `an` before a noun phrase, as it is read aloud: "an IAM role", "an SSM path",
/// "a KMS key", "an event", "a resource".
fn article(what: &str) -> &'static str {
    let word = what.split([' ', '-']).next().unwrap_or("");
    let acronym = word.len() > 1 && word.chars().all(|c| c.is_ascii_uppercase());
    let first = word.chars().next().unwrap_or('x');
    let vowel_sound = if acronym {
        "AEFHILMNORSX".contains(first)
    } else {
        "aeiouAEIOU".contains(first)
    };
    if vowel_sound { "an" } else { "a" }
}

/// A Terraform identifier for a catalogue name: `bank-core` → `bank_core`, `MOD-045` → `mod_045`.
/// Only letters, digits and `_` survive, and it never starts with a digit, so it is always a
/// valid label whatever the input.
pub fn ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 1);
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
    let mut id = trimmed.to_string();
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert_str(0, "r_");
    }
    id
}

/// The label of a name that holds the `{env}` placeholder: the same in every environment.
pub fn env_ident(name: &str) -> String {
    ident(&name.replace("{env}", ""))
}

/// A resource's physical name in one environment: `{base}-{env}` (`bank-cdc-stream-dev`).
pub fn env_name(base: &str, env: &str) -> String {
    format!("{base}-{env}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_always_valid_labels() {
        assert_eq!(ident("bank-core"), "bank_core");
        assert_eq!(ident("bank/pii"), "bank_pii");
        assert_eq!(ident("BankCoreRole"), "bankcorerole");
        assert_eq!(ident("9lives"), "r_9lives");
        assert_eq!(ident("\"${x}\"\n"), "x");
        assert_eq!(ident(""), "r_");
    }

    #[test]
    fn conventions_reject_what_would_break_names() {
        let n = Naming::new("bank");
        assert!(n.resource.matches("bank-iceberg"));
        assert!(!n.resource.matches("bank-${x}"));
        assert!(!n.resource.matches("Bank-Iceberg"));
        assert!(n.key_alias.matches("bank/pii"));
        assert!(n.role.matches("BankCoreRole"));
        assert!(!n.role.matches("core"));
    }

    #[test]
    fn another_tenant_gets_its_own_names_and_not_the_banks() {
        let n = Naming::new("gbp");
        assert!(n.resource.matches("gbp-transactions"));
        assert!(!n.resource.matches("bank-transactions"));
        assert!(n.role.matches("GbpComputeRole"));
        assert!(n.event_source.matches("gbp.payments"));
        assert!(!n.event_source.matches("gbpxpayments"));
        assert!(n.ssm_path.what.contains("/gbp/{env}/"));
    }

    #[test]
    fn help_reads_well() {
        assert!(
            Naming::new("bank")
                .role
                .help()
                .starts_with("an IAM role name looks like `BankCoreRole`")
        );
        assert!(EVENT_NAME.help().starts_with("an event name"));
        assert!(ENV_NAME.help().starts_with("an environment name"));
        assert!(
            Naming::new("bank")
                .ssm_path
                .help()
                .starts_with("an SSM parameter path")
        );
        let n = Naming::new("bank");
        assert!(n.key_alias.help().starts_with("a KMS key alias"));
        assert!(n.resource.help().starts_with("a resource name"));
        assert!(ACCOUNT_ID.help().starts_with("an AWS account id"));
    }
}
