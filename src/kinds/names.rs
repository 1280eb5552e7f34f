//! The platform's naming conventions, in one place, and safe Terraform identifiers.

use regex::Regex;
use std::sync::LazyLock;

pub struct Convention {
    pub what: &'static str,
    pub pattern: &'static str,
    pub example: &'static str,
    regex: LazyLock<Regex>,
}

macro_rules! convention {
    ($name:ident, $what:literal, $pattern:literal, $example:literal) => {
        pub static $name: Convention = Convention {
            what: $what,
            pattern: $pattern,
            example: $example,
            regex: LazyLock::new(|| {
                Regex::new(concat!("^(?:", $pattern, ")$")).expect("valid pattern")
            }),
        };
    };
}

convention!(MODULE_ID, "module id", r"MOD-[0-9]{3,5}", "MOD-042");
convention!(DOMAIN_ID, "system domain id", r"SD[0-9]{2}", "SD07");
convention!(ENV_NAME, "environment name", r"[a-z][a-z0-9]{1,9}", "dev");
convention!(
    BANK_NAME,
    "resource name",
    r"bank-[a-z0-9]+(?:-[a-z0-9]+)*",
    "bank-iceberg"
);
convention!(
    BUS_NAME,
    "event bus name",
    r"bank-[a-z0-9]+(?:-[a-z0-9]+)*|default",
    "bank-core"
);
convention!(
    KEY_ALIAS,
    "KMS key alias",
    r"bank/[a-z][a-z0-9-]*",
    "bank/pii"
);
convention!(
    ROLE_NAME,
    "IAM role name",
    r"Bank[A-Z][A-Za-z0-9]*Role",
    "BankCoreRole"
);
convention!(
    SECRET_NAME,
    "secret name",
    r"bank-[a-z0-9-]+(?:/[a-z0-9-]+)+",
    "bank-aml/sanctions/decryption-key"
);
convention!(
    SECRET_PREFIX,
    "secret name prefix",
    r"bank-[a-z0-9-]+(?:/[a-z0-9-]+)*",
    "bank-core/neon"
);
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
    EVENT_SOURCE,
    "event source",
    r"bank\.[a-z][a-z0-9-]*",
    "bank.core"
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
    SSM_PATH,
    "SSM parameter path below /bank/{env}/",
    r"[a-z0-9-]+(?:/[a-z0-9-]+)+",
    "kms/pii/arn"
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

impl Convention {
    pub fn matches(&self, value: &str) -> bool {
        self.regex.is_match(value)
    }

    pub fn help(&self) -> String {
        format!(
            "{} {} looks like `{}` (pattern `{}`)",
            article(self.what),
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
        assert!(BANK_NAME.matches("bank-iceberg"));
        assert!(!BANK_NAME.matches("bank-${x}"));
        assert!(!BANK_NAME.matches("Bank-Iceberg"));
        assert!(KEY_ALIAS.matches("bank/pii"));
        assert!(ROLE_NAME.matches("BankCoreRole"));
        assert!(!ROLE_NAME.matches("core"));
    }

    #[test]
    fn help_reads_well() {
        assert!(
            ROLE_NAME
                .help()
                .starts_with("an IAM role name looks like `BankCoreRole`")
        );
        assert!(EVENT_NAME.help().starts_with("an event name"));
        assert!(ENV_NAME.help().starts_with("an environment name"));
        assert!(SSM_PATH.help().starts_with("an SSM parameter path"));
        assert!(KEY_ALIAS.help().starts_with("a KMS key alias"));
        assert!(BANK_NAME.help().starts_with("a resource name"));
        assert!(ACCOUNT_ID.help().starts_with("an AWS account id"));
    }
}
