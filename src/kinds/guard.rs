//! What an entry of a kind that holds data may say about its own replacement and its past name.
//!
//! `allow_replace: {reason: …}`: the plan guard lets a delete or replacement of the entry's
//! resources through, and the report records the reason. `renamed_from: OLD`: the entry's
//! catalogue name (and so its Terraform labels) is the new one, while its physical name and SSM
//! paths stay OLD's; render writes a `moved` block per block the entry renders under a label
//! derived from its name, so the plan moves state instead of destroying and recreating it.

use super::{Checker, Scope, Sp, raw};
use crate::diag::{Loc, Problem};
use serde::Deserialize;
use serde_json::json;

/// An entry's `allow_replace:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowReplace {
    /// Why losing what the resource holds is acceptable (recorded in the deploy report).
    pub reason: Sp<String>,
}

/// The file `moved` blocks go to (`moved.tf`): every state move of a module in one place.
pub const MOVED_FAMILY: &str = "moved";

/// BG043 when an allowance gives no reason: an allowance nobody can explain is not one.
pub fn check_allow(a: Option<&AllowReplace>, entry: &str, c: &mut Checker) {
    if let Some(a) = a
        && a.reason.value.trim().is_empty()
    {
        c.err(
            "BG043",
            &a.reason.referenced,
            format!("allow_replace of {entry} gives no reason"),
            "say why replacing it (losing what it holds) is acceptable, e.g. `reason: test data only, recreated by the seed job`; or remove allow_replace",
        );
    }
}

/// The allowance as [`Scope::holds_data`] records it: the reason and where it is written.
pub fn allowance(a: Option<&AllowReplace>, m: &Scope) -> Option<(String, Loc)> {
    a.map(|a| {
        (
            a.reason.value.trim().to_string(),
            m.loc(&a.reason.referenced),
        )
    })
}

/// BG044 when `renamed_from` names the entry itself or nothing. That it names no other entry of
/// the kind is [`check_renames`]'s (it needs the whole catalogue).
pub fn check_rename(name: &Sp<String>, from: Option<&Sp<String>>, noun: &str, c: &mut Checker) {
    let Some(from) = from else { return };
    if from.value.trim().is_empty() {
        c.err(
            "BG044",
            &from.referenced,
            format!("{noun} `{}` is renamed from an empty name", name.value),
            "give the name the entry had before (its physical name stays that one)",
        );
    } else if from.value == name.value {
        c.err(
            "BG044",
            &from.referenced,
            format!("{noun} `{}` is renamed from its own name", name.value),
            "renamed_from is the entry's previous name; remove it when the name did not change",
        );
    }
}

/// One kind's renamed entries in the whole catalogue: each entry's name, its `renamed_from`, and
/// its file; `names`: every entry name of the kind (with its file).
pub struct KindRenames<'a> {
    pub noun: &'static str,
    pub renamed: Vec<(&'a Sp<String>, &'a Sp<String>, Loc)>,
    pub names: Vec<(&'a Sp<String>, Loc)>,
}

/// BG044 when a `renamed_from` is the name of another entry of the same kind (the two would
/// share one physical resource), or two entries are renamed from the same name.
pub fn check_renames(kind: &KindRenames, problems: &mut Vec<Problem>) {
    for (i, (name, from, at)) in kind.renamed.iter().enumerate() {
        // Its own name is check_rename's.
        let other = kind
            .names
            .iter()
            .find(|(n, _)| n.value == from.value && !std::ptr::eq(*n, *name));
        if let Some((_, other)) = other {
            problems.push(
                Problem::error(
                    "BG044",
                    Some(at.clone()),
                    format!(
                        "{} `{}` is renamed from `{}`, which is the name of another {}",
                        kind.noun, name.value, from.value, kind.noun
                    ),
                    "renamed_from is this entry's previous name, which no entry has any more; rename or remove one of them",
                )
                .with_related(other.clone(), "that entry"),
            );
        }
        if let Some((first, _, first_at)) = kind.renamed[..i]
            .iter()
            .find(|(_, f, _)| f.value == from.value)
        {
            problems.push(
                Problem::error(
                    "BG044",
                    Some(at.clone()),
                    format!(
                        "{}s `{}` and `{}` are both renamed from `{}`",
                        kind.noun, first.value, name.value, from.value
                    ),
                    "one entry took the old name's place; the other needs a name of its own",
                )
                .with_related(first_at.clone(), "first renamed here"),
            );
        }
    }
}

/// The `moved` blocks of an entry renamed from `old` to `new`: for each of its blocks `(type,
/// label suffix)` rendered under the label derived from its name, from the old label to the new.
pub fn moved(m: &mut Scope, loc: &Loc, old: &str, new: &str, blocks: &[(&str, &str)]) {
    let moves: Vec<_> = blocks
        .iter()
        .map(|(t, suffix)| {
            json!({
                "from": raw(format!("{t}.{old}{suffix}")),
                "to": raw(format!("{t}.{new}{suffix}")),
            })
        })
        .collect();
    m.emit_as(MOVED_FAMILY, "moved.tf.j2", loc, json!({ "moves": moves }));
}

/// The name an entry's physical resources and SSM paths carry: `renamed_from`'s, else its own.
pub fn physical<'n>(name: &'n Sp<String>, from: Option<&'n Sp<String>>) -> &'n str {
    from.map_or(name.value.as_str(), |f| f.value.as_str())
}
