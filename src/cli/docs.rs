//! `bankgen docs`: the Markdown pages and pictures of the catalogue.

use super::{EXIT_OK, EXIT_USAGE, load_or_report, print_problems, report_check};
use crate::catalog::CatalogSource;
use crate::publish::{self, docs, pictures};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output folder
    #[arg(long, default_value = "docs/catalog", value_name = "DIR")]
    pub out: PathBuf,
    /// Write nothing; exit 1 and list the pages that are stale (SVGs are checked for presence:
    /// their DOT source is checked byte for byte)
    #[arg(long)]
    pub check: bool,
    /// Do not run Graphviz: write the .dot files only
    #[arg(long)]
    pub no_svg: bool,
}

pub fn run(source: &CatalogSource, short: bool, args: Args) -> u8 {
    let cat = match load_or_report(source, short) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut files = match docs::pages(&cat) {
        Ok(f) => f,
        Err(problems) => {
            print_problems(&problems, short);
            return EXIT_USAGE;
        }
    };
    let svg = !args.no_svg && pictures::graphviz_available();
    if args.check {
        // The SVG depends on the Graphviz version; its DOT source is what is compared.
        let mut stale =
            match publish::stale_files(&args.out, &files, docs::MARKER.as_bytes(), &|_| false) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", args.out.display());
                    return EXIT_USAGE;
                }
            };
        if svg {
            for (_, svg_name) in docs::PICTURES {
                if !args.out.join(svg_name).is_file() {
                    stale.push(svg_name.to_string());
                }
            }
        }
        return report_check(
            &args.out,
            files.len(),
            &stale,
            "docs are up to date",
            "the docs are stale",
            "bankgen docs",
        );
    }
    if svg {
        for (dot_name, svg_name) in docs::PICTURES {
            let dot = String::from_utf8_lossy(&files[*dot_name]).into_owned();
            match pictures::svg(&dot) {
                Ok(text) => {
                    files.insert(svg_name.to_string(), text.into_bytes());
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_USAGE;
                }
            }
        }
    } else if !args.no_svg {
        eprintln!(
            "note: {}; wrote the .dot files only",
            pictures::SvgError::NoGraphviz
        );
    }
    match publish::write_files(&args.out, &files, docs::MARKER.as_bytes()) {
        Ok(w) => {
            outln!(
                "docs: {} files in {} ({} written, {} unchanged, {} removed)",
                files.len(),
                args.out.display(),
                w.written,
                w.unchanged,
                w.removed.len()
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.out.display());
            EXIT_USAGE
        }
    }
}
