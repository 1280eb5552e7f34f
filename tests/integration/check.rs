//! `bankgen check`: the shipped catalogue, and one bad catalogue per validation error class.

use crate::support::Test;

#[test]
fn shipped_catalogue_checks_clean_with_its_counts() {
    Test::new()
        .args(["check"])
        .run()
        .success()
        .stdout_has("the embedded catalogue")
        .stdout_has("modules 142, domains 8, phases 8, events 36, subscriptions 29");
}

#[test]
fn a_catalogue_folder_in_the_current_directory_wins() {
    Test::new()
        .with_catalog()
        .args(["check"])
        .run()
        .success()
        .stdout_has("catalogue OK (catalog)");
}
