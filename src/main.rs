// glibc's malloc and free were a fifth of the linter's and the renderer's instructions
// (BENCHMARKS.md). Without transparent huge pages: with them, each 2 MiB page is zeroed on first
// touch, which doubled the linter's peak memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    bankgen::cli::main()
}
