fn main() -> std::process::ExitCode {
    rootspan_cli::cli::main()
}
