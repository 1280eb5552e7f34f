fn main() -> std::process::ExitCode {
    bankgen::cli::main()
}
